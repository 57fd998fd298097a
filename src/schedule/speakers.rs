//! Speakers: `/api/v1/events/{slug}/speakers[/{id}]`, an event [`Child`]. Organizers see
//! every speaker with their email; the public sees only speakers of the latest release, never
//! their email.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{SpeakerForm, SpeakerRow};
use super::store;
use crate::db::{Conn, PageRequest};
use crate::domain::text::{Check, FieldError, Rule};
use crate::domain::{search_text, EmailAddress};
use crate::error::{AppError, AppResult};
use crate::events::children::{Child, NoFilters};
use crate::events::Event;
use crate::web::json::double_option;
use crate::web::list::Page;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpeakerOut {
    pub id: i64,
    pub name: String,
    /// Organizers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl SpeakerOut {
    fn of(r: SpeakerRow, with_email: bool) -> Self {
        SpeakerOut {
            id: r.id,
            name: r.name,
            email: if with_email { r.email } else { None },
            organization: r.organization,
            bio: r.bio,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// A new speaker, as sent (checked by [`Speakers::create`]).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpeaker {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    /// An email address, never shown to the public; empty or null: none.
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerPatch {
    pub name: Option<String>,
    /// An email address; empty or null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
}

impl SpeakerForm {
    /// Checks a speaker as they would be; every error goes to `check`.
    pub fn check(
        name: Option<String>,
        email: Option<&str>,
        organization: Option<&str>,
        bio: Option<&str>,
        check: &mut Check,
    ) -> Option<SpeakerForm> {
        let name = check.text("name", name, 200);
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| check.parse("email", Rule::Email, Some(e), EmailAddress::parse));
        let organization = check.optional_text("organization", organization, 200);
        let bio = bio
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        if bio.as_ref().is_some_and(|b| b.chars().count() > 5000) {
            check.push(FieldError::rule("bio", Rule::TooLong(5000)));
        }
        let name = name?;
        let email = match email {
            Some(parsed) => Some(parsed?.to_string()),
            None => None,
        };
        let mut parts = vec![name.as_str()];
        parts.extend(email.as_deref());
        parts.extend(organization.as_deref());
        let search_text = search_text(parts);
        Some(SpeakerForm {
            name,
            email,
            organization,
            bio,
            search_text,
        })
    }
}

/// Speakers as an event's [`Child`]. Organizers see every speaker with their email; the public
/// sees only the speakers of the latest release, never their email. Deleting a speaker removes
/// them from the sessions of the working copy.
pub struct Speakers;

impl Child for Speakers {
    const NOUN: &'static str = "speaker";
    const SORTS: &'static [&'static str] = &["name", "created_at"];
    const TAG: &'static str = "speakers";
    const LIST_PATH: &'static str = "/api/v1/events/{slug}/speakers";
    type Row = SpeakerRow;
    type Out = SpeakerOut;
    type New = NewSpeaker;
    type Patch = SpeakerPatch;
    type Form = SpeakerForm;
    type Filters = NoFilters;

    fn id(speaker: &SpeakerRow) -> i64 {
        speaker.id
    }

    fn rows(c: &mut Conn, event: &Event, req: &PageRequest) -> AppResult<(Vec<SpeakerRow>, i64)> {
        Ok(store::speakers_page(c, event.id, req)?)
    }

    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        _: &NoFilters,
        organizer: bool,
    ) -> AppResult<Page<SpeakerOut>> {
        if organizer {
            let (rows, total) = Self::rows(c, event, req)?;
            let items = rows.into_iter().map(|r| SpeakerOut::of(r, true)).collect();
            return Ok(Page::new(items, total, req));
        }
        let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
        // The public sees the released speakers (few) and searches only what it may see
        // (name, organization), in memory, so an email cannot be probed through `total`.
        let released = super::releases::released_speaker_ids(c, event.id)?;
        let mut rows = store::speakers_among(c, event.id, &released)?;
        if let Some(needle) = &req.needle {
            rows.retain(|r| {
                r.name.to_lowercase().contains(needle.as_str())
                    || r.organization
                        .as_ref()
                        .is_some_and(|o| o.to_lowercase().contains(needle.as_str()))
            });
        }
        match sort {
            Some(("name", desc)) => {
                rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
                if desc {
                    rows.reverse();
                }
            }
            Some((_, true)) => rows.sort_by_key(|r| std::cmp::Reverse(r.id)),
            _ => rows.sort_by_key(|r| r.id),
        }
        let items = rows.into_iter().map(|r| SpeakerOut::of(r, false)).collect();
        Ok(Page::from_vec(items, req))
    }

    fn find(c: &mut Conn, event: &Event, id: i64, organizer: bool) -> AppResult<SpeakerRow> {
        if !organizer && !super::releases::released_speaker_ids(c, event.id)?.contains(&id) {
            return Err(AppError::not_found(format!(
                "no speaker {id} in this event"
            )));
        }
        store::find_speaker(c, event.id, id)
    }

    fn out(_: &mut Conn, speaker: SpeakerRow, organizer: bool) -> AppResult<SpeakerOut> {
        Ok(SpeakerOut::of(speaker, organizer))
    }

    fn new_form(body: NewSpeaker, check: &mut Check) -> Option<SpeakerForm> {
        let name = check.required("name", body.name);
        SpeakerForm::check(
            name,
            body.email.as_deref(),
            body.organization.as_deref(),
            body.bio.as_deref(),
            check,
        )
    }

    fn patch_form(cur: &SpeakerRow, patch: SpeakerPatch, check: &mut Check) -> Option<SpeakerForm> {
        let name = patch.name.unwrap_or_else(|| cur.name.clone());
        let email = patch.email.unwrap_or_else(|| cur.email.clone());
        let organization = patch
            .organization
            .unwrap_or_else(|| cur.organization.clone());
        let bio = patch.bio.unwrap_or_else(|| cur.bio.clone());
        SpeakerForm::check(
            Some(name),
            email.as_deref(),
            organization.as_deref(),
            bio.as_deref(),
            check,
        )
    }

    fn insert(c: &mut Conn, event: &Event, form: &SpeakerForm) -> AppResult<SpeakerRow> {
        store::insert_speaker(c, event.id, form)
    }

    fn update(c: &mut Conn, event: &Event, id: i64, form: &SpeakerForm) -> AppResult<SpeakerRow> {
        store::overwrite_speaker(c, event.id, id, form)
    }

    fn delete(c: &mut Conn, id: i64) -> AppResult<()> {
        Ok(store::delete_speaker(c, id)?)
    }
}

/// The speakers API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    crate::events::children::routes::<Speakers>(r);
}
