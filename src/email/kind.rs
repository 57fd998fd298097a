use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every email Salon sends. Each exists in ar, fr and en, as text and HTML, under
/// `templates/email/<kind>/<lang>.{subject,txt,html}`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    RegistrationConfirm,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    RegistrationPromoted,
    RegistrationCancelled,
    AlreadyRegistered,
    ExhibitorConfirm,
    ExhibitorAlreadyApplied,
    ExhibitorSubmitted,
    ExhibitorApproved,
    ExhibitorRejected,
    StaffPass,
    ScheduleChanged,
    SpeakerScheduleChanged,
    /// To a new organizer: a link to choose a password (no fair).
    OrganizerInvite,
    MeetingRequested,
    MeetingAccepted,
    MeetingDeclined,
    MeetingCancelled,
    MeetingExpired,
    MeetingsReminder,
    /// To the fair's contact: Salon disabled a webhook that kept failing (or answered 410).
    WebhookDisabled,
}

/// Variables every template may use.
pub const COMMON_VARIABLES: &[&str] = &[
    "name",
    "event_name",
    "event_dates",
    "venue",
    "city",
    "contact_email",
];

impl EmailKind {
    pub const ALL: [EmailKind; 22] = [
        EmailKind::RegistrationConfirm,
        EmailKind::RegistrationConfirmed,
        EmailKind::RegistrationWaitlisted,
        EmailKind::RegistrationPromoted,
        EmailKind::RegistrationCancelled,
        EmailKind::AlreadyRegistered,
        EmailKind::ExhibitorConfirm,
        EmailKind::ExhibitorAlreadyApplied,
        EmailKind::ExhibitorSubmitted,
        EmailKind::ExhibitorApproved,
        EmailKind::ExhibitorRejected,
        EmailKind::StaffPass,
        EmailKind::ScheduleChanged,
        EmailKind::SpeakerScheduleChanged,
        EmailKind::OrganizerInvite,
        EmailKind::MeetingRequested,
        EmailKind::MeetingAccepted,
        EmailKind::MeetingDeclined,
        EmailKind::MeetingCancelled,
        EmailKind::MeetingExpired,
        EmailKind::MeetingsReminder,
        EmailKind::WebhookDisabled,
    ];

    /// Whether emails of this kind are about one fair (and its organizers may rewrite them);
    /// an organizer's invitation is about none.
    pub fn is_about_a_fair(self) -> bool {
        self != EmailKind::OrganizerInvite
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::RegistrationConfirm => "registration_confirm",
            EmailKind::RegistrationConfirmed => "registration_confirmed",
            EmailKind::RegistrationWaitlisted => "registration_waitlisted",
            EmailKind::RegistrationPromoted => "registration_promoted",
            EmailKind::RegistrationCancelled => "registration_cancelled",
            EmailKind::AlreadyRegistered => "already_registered",
            EmailKind::ExhibitorConfirm => "exhibitor_confirm",
            EmailKind::ExhibitorAlreadyApplied => "exhibitor_already_applied",
            EmailKind::ExhibitorSubmitted => "exhibitor_submitted",
            EmailKind::ExhibitorApproved => "exhibitor_approved",
            EmailKind::ExhibitorRejected => "exhibitor_rejected",
            EmailKind::StaffPass => "staff_pass",
            EmailKind::ScheduleChanged => "schedule_changed",
            EmailKind::SpeakerScheduleChanged => "speaker_schedule_changed",
            EmailKind::OrganizerInvite => "organizer_invite",
            EmailKind::MeetingRequested => "meeting_requested",
            EmailKind::MeetingAccepted => "meeting_accepted",
            EmailKind::MeetingDeclined => "meeting_declined",
            EmailKind::MeetingCancelled => "meeting_cancelled",
            EmailKind::MeetingExpired => "meeting_expired",
            EmailKind::MeetingsReminder => "meetings_reminder",
            EmailKind::WebhookDisabled => "webhook_disabled",
        }
    }

    /// The variables this kind's templates may use, besides [`COMMON_VARIABLES`].
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            EmailKind::RegistrationConfirm => &["confirm_url", "expires_hours"],
            EmailKind::RegistrationConfirmed | EmailKind::RegistrationPromoted => &[
                "badge_code",
                "category",
                "manage_url",
                "badge_url",
                "qr_src",
            ],
            EmailKind::RegistrationWaitlisted => &["manage_url"],
            EmailKind::RegistrationCancelled => &["register_url"],
            EmailKind::AlreadyRegistered => &["manage_url"],
            EmailKind::ExhibitorConfirm => &["company_name", "confirm_url", "expires_hours"],
            EmailKind::ExhibitorAlreadyApplied => &["company_name", "status", "manage_url"],
            EmailKind::ExhibitorSubmitted => &[
                "company_name",
                "contact_name",
                "applicant_email",
                "booth_kind",
                "booth_area_m2",
            ],
            EmailKind::ExhibitorApproved => &[
                "company_name",
                "booth_code",
                "hall",
                "price",
                "payment_instructions",
                "manage_url",
            ],
            EmailKind::ExhibitorRejected => &["company_name", "reason"],
            EmailKind::StaffPass => &[
                "company_name",
                "badge_code",
                "badge_url",
                "manage_url",
                "qr_src",
            ],
            EmailKind::ScheduleChanged => &["changes", "comment", "agenda_url"],
            EmailKind::SpeakerScheduleChanged => &["changes", "comment"],
            EmailKind::OrganizerInvite => &["invite_url", "expires_hours", "role", "inviter"],
            EmailKind::MeetingRequested => &[
                "company_name",
                "attendee_name",
                "attendee_organization",
                "attendee_job_title",
                "meeting_time",
                "booth_code",
                "message",
                "accept_url",
                "decline_url",
                "manage_url",
                "expires_at",
            ],
            EmailKind::MeetingAccepted => &[
                "company_name",
                "meeting_time",
                "booth_code",
                "hall",
                "host_name",
                "manage_url",
            ],
            EmailKind::MeetingDeclined | EmailKind::MeetingExpired => &[
                "company_name",
                "meeting_time",
                "directory_url",
                "manage_url",
            ],
            EmailKind::MeetingCancelled => {
                &["other_party", "meeting_time", "booth_code", "manage_url"]
            }
            EmailKind::MeetingsReminder => &[
                "day",
                "meetings",
                "sessions",
                "badge_code",
                "qr_src",
                "manage_url",
            ],
            EmailKind::WebhookDisabled => &["url", "gone", "failing_since", "console_url"],
        }
    }

    pub fn allows_variable(self, name: &str) -> bool {
        COMMON_VARIABLES.contains(&name) || self.variables().contains(&name)
    }
}

impl fmt::Display for EmailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EmailKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmailKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown email kind `{s}`"))
    }
}
