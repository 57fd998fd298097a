//! The webhooks area's types: the event types an endpoint subscribes to, an endpoint and a
//! delivery as stored and as the API shows them, and each attempt.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};

/// What happened, as the `type` of a delivery's body (SPEC §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "registration.created")]
    RegistrationCreated,
    #[serde(rename = "registration.confirmed")]
    RegistrationConfirmed,
    #[serde(rename = "registration.cancelled")]
    RegistrationCancelled,
    #[serde(rename = "registration.promoted")]
    RegistrationPromoted,
    #[serde(rename = "booking.created")]
    BookingCreated,
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    #[serde(rename = "schedule.released")]
    ScheduleReleased,
    #[serde(rename = "exhibitor.submitted")]
    ExhibitorSubmitted,
    #[serde(rename = "exhibitor.approved")]
    ExhibitorApproved,
    #[serde(rename = "exhibitor.rejected")]
    ExhibitorRejected,
    #[serde(rename = "exhibitor.withdrawn")]
    ExhibitorWithdrawn,
    #[serde(rename = "checkin.created")]
    CheckinCreated,
    #[serde(rename = "meeting.requested")]
    MeetingRequested,
    #[serde(rename = "meeting.accepted")]
    MeetingAccepted,
    #[serde(rename = "meeting.cancelled")]
    MeetingCancelled,
}

impl EventType {
    pub const ALL: [EventType; 15] = [
        EventType::RegistrationCreated,
        EventType::RegistrationConfirmed,
        EventType::RegistrationCancelled,
        EventType::RegistrationPromoted,
        EventType::BookingCreated,
        EventType::BookingCancelled,
        EventType::ScheduleReleased,
        EventType::ExhibitorSubmitted,
        EventType::ExhibitorApproved,
        EventType::ExhibitorRejected,
        EventType::ExhibitorWithdrawn,
        EventType::CheckinCreated,
        EventType::MeetingRequested,
        EventType::MeetingAccepted,
        EventType::MeetingCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::RegistrationCreated => "registration.created",
            EventType::RegistrationConfirmed => "registration.confirmed",
            EventType::RegistrationCancelled => "registration.cancelled",
            EventType::RegistrationPromoted => "registration.promoted",
            EventType::BookingCreated => "booking.created",
            EventType::BookingCancelled => "booking.cancelled",
            EventType::ScheduleReleased => "schedule.released",
            EventType::ExhibitorSubmitted => "exhibitor.submitted",
            EventType::ExhibitorApproved => "exhibitor.approved",
            EventType::ExhibitorRejected => "exhibitor.rejected",
            EventType::ExhibitorWithdrawn => "exhibitor.withdrawn",
            EventType::CheckinCreated => "checkin.created",
            EventType::MeetingRequested => "meeting.requested",
            EventType::MeetingAccepted => "meeting.accepted",
            EventType::MeetingCancelled => "meeting.cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub event_id: i64,
    pub url: String,
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    /// The types it receives (stored as a JSON array; an unknown name is skipped).
    pub fn types(&self) -> Vec<EventType> {
        serde_json::from_str::<Vec<String>>(&self.event_types)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| EventType::parse(t))
            .collect()
    }

    /// The secrets a delivery is signed with at `now`: the current one, and the one it
    /// replaced for a day after a rotation.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if now < until {
                secrets.push(previous);
            }
        }
        secrets
    }
}

/// The event types as stored: a JSON array of their names.
pub fn stored_types(types: &[EventType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
}

/// An endpoint as the API shows it: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookOut {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    /// Why Salon disabled it (a 410 answer, or failing for `webhooks.give_up_after`); null
    /// when enabled or disabled by an admin.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&WebhookRow> for WebhookOut {
    fn from(w: &WebhookRow) -> Self {
        WebhookOut {
            id: w.id,
            url: w.url.clone(),
            event_types: w.types(),
            enabled: w.enabled,
            disabled_reason: w.disabled_reason.clone(),
            created_at: w.created_at.and_utc(),
            updated_at: w.updated_at.and_utc(),
        }
    }
}

/// An endpoint with its signing secret: the answer of its creation and of a rotation, the
/// only times the secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_` and the base64 of 32 random bytes: verify deliveries with it.
    pub secret: String,
}

impl From<(WebhookRow, String)> for WebhookWithSecret {
    fn from((row, secret): (WebhookRow, String)) -> Self {
        WebhookWithSecret {
            webhook: WebhookOut::from(&row),
            secret,
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Being sent by a worker.
    Sending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: after `webhooks.give_up_after` of failures, or a 410.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> DeliveryStatus {
        match s {
            "sending" => DeliveryStatus::Sending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub retry_from: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub registration_id: Option<i64>,
    pub exhibitor_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub response: String,
    pub duration_ms: i32,
}

/// One attempt to deliver, as logged.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttemptOut {
    pub attempted_at: DateTime<Utc>,
    /// The answer's HTTP status; null when none came (refused, timed out).
    pub status_code: Option<i32>,
    /// Why no answer counted, when none did.
    pub error: Option<String>,
    /// The first KiB of the answer's body.
    pub response: String,
    pub duration_ms: i32,
}

impl From<AttemptRow> for AttemptOut {
    fn from(a: AttemptRow) -> Self {
        AttemptOut {
            attempted_at: a.attempted_at.and_utc(),
            status_code: a.status_code,
            error: a.error,
            response: a.response,
            duration_ms: a.duration_ms,
        }
    }
}

/// A delivery with its attempts, newest attempt last.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryOut {
    pub id: i64,
    /// The `webhook-id` header, the same on every attempt and on a replay.
    pub message_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body as sent: `{type, timestamp, data}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub attempts: Vec<AttemptOut>,
}

impl DeliveryOut {
    pub fn of(d: DeliveryRow, attempts: Vec<AttemptRow>) -> Self {
        let status = DeliveryStatus::parse(&d.status);
        DeliveryOut {
            id: d.id,
            message_id: d.message_id,
            event_type: d.event_type,
            status,
            created_at: d.created_at.and_utc(),
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then_some(d.next_attempt_at.and_utc()),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            attempts: attempts.into_iter().map(AttemptOut::from).collect(),
        }
    }
}

/// A delivery claimed for sending, with what its endpoint needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secrets: Vec<String>,
    pub event_id: i64,
}

/// Whom a change is about: its deliveries are deleted when that registration or exhibitor is
/// erased (SPEC §8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject {
    pub registration_id: Option<i64>,
    pub exhibitor_id: Option<i64>,
}

impl Subject {
    pub fn registration(id: i64) -> Subject {
        Subject {
            registration_id: Some(id),
            exhibitor_id: None,
        }
    }

    pub fn exhibitor(id: i64) -> Subject {
        Subject {
            registration_id: None,
            exhibitor_id: Some(id),
        }
    }
}
