//! The registrations' and bookings' types: statuses and their transitions, rows as stored,
//! the checked person a registration writes and the change forms of its details, and what the
//! API shows.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{bookings, registrations};
use crate::domain::{search_text, EmailAddress, Language};

/// A registration's status; the transitions of SPEC §3 live in [`Status::can_become`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = RegistrationStatus)]
pub enum Status {
    Pending,
    Confirmed,
    Waitlisted,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Waitlisted => "waitlisted",
            Status::Cancelled => "cancelled",
        }
    }

    /// The status transitions, as data.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Pending, Confirmed)
                | (Pending, Waitlisted)
                | (Waitlisted, Confirmed)
                | (Pending, Cancelled)
                | (Waitlisted, Cancelled)
                | (Confirmed, Cancelled)
                | (Cancelled, Pending)
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Status::Pending),
            "confirmed" => Ok(Status::Confirmed),
            "waitlisted" => Ok(Status::Waitlisted),
            "cancelled" => Ok(Status::Cancelled),
            other => Err(format!("unknown status `{other}`")),
        }
    }
}

/// Who an attendee is at the fair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Visitor,
    Professional,
    Press,
    Speaker,
    Vip,
    ExhibitorStaff,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Visitor => "visitor",
            Category::Professional => "professional",
            Category::Press => "press",
            Category::Speaker => "speaker",
            Category::Vip => "vip",
            Category::ExhibitorStaff => "exhibitor_staff",
        }
    }

    /// Whether the public may register with this category.
    pub fn is_public(self) -> bool {
        matches!(self, Category::Visitor | Category::Professional)
    }

    /// The category as a badge or an email names it.
    pub fn label(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Category::Visitor, Language::Ar) => "زائر",
            (Category::Visitor, Language::Fr) => "Visiteur",
            (Category::Visitor, Language::En) => "Visitor",
            (Category::Professional, Language::Ar) => "مهني",
            (Category::Professional, Language::Fr) => "Professionnel",
            (Category::Professional, Language::En) => "Professional",
            (Category::Press, Language::Ar) => "صحافة",
            (Category::Press, Language::Fr) => "Presse",
            (Category::Press, Language::En) => "Press",
            (Category::Speaker, Language::Ar) => "متحدث",
            (Category::Speaker, Language::Fr) => "Intervenant",
            (Category::Speaker, Language::En) => "Speaker",
            (Category::Vip, Language::Ar) => "ضيف شرف",
            (Category::Vip, _) => "VIP",
            (Category::ExhibitorStaff, Language::Ar) => "عارض",
            (Category::ExhibitorStaff, Language::Fr) => "Exposant",
            (Category::ExhibitorStaff, Language::En) => "Exhibitor",
        }
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown category `{s}`"))
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = registrations)]
pub struct RegistrationRow {
    pub id: i64,
    pub event_id: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub category: String,
    pub status: String,
    pub badge_code: String,
    pub consent_at: Option<NaiveDateTime>,
    pub search_text: String,
    pub confirm_sent_at: Option<NaiveDateTime>,
    pub waitlisted_at: Option<NaiveDateTime>,
    pub confirmed_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RegistrationRow {
    pub fn status(&self) -> Status {
        self.status.parse().unwrap_or(Status::Pending)
    }
    pub fn category(&self) -> Category {
        self.category.parse().unwrap_or(Category::Visitor)
    }
    pub fn language(&self) -> Language {
        self.language.parse().unwrap_or(Language::En)
    }
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

/// What an attendee may say of themselves besides their name and email, each optional
/// (`None`: an empty column), as checked and written (`store::insert`, [`DetailsChange`]).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = registrations, treat_none_as_null = true)]
pub struct Profile {
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
}

/// The personal fields of a registration, checked (`input::person`).
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: EmailAddress,
    pub profile: Profile,
    pub language: Language,
    pub category: Category,
}

impl Person {
    /// What the organizers' search matches: name, email, organization.
    pub(super) fn search(&self) -> String {
        let mut parts = vec![self.name.as_str(), self.email.as_str()];
        parts.extend(self.profile.organization.as_deref());
        search_text(parts)
    }
}

/// The details a registration's owner or an organizer changes; `None` clears a field.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = registrations, treat_none_as_null = true)]
pub struct DetailsChange<'a> {
    pub name: Option<&'a str>,
    #[diesel(embed)]
    pub profile: Profile,
    pub language: &'a str,
    pub search_text: String,
    /// An organizer's choice, or a cancelled registration's new one; `None` keeps it.
    #[diesel(treat_none_as_null = false)]
    pub category: Option<&'a str>,
    /// When a cancelled registration registered again agreed anew; `None` keeps it.
    #[diesel(treat_none_as_null = false)]
    pub consent_at: Option<NaiveDateTime>,
}

impl<'a> DetailsChange<'a> {
    /// The details of a checked person (the email and the category are not among them).
    pub fn of(p: &'a Person) -> Self {
        DetailsChange {
            name: Some(&p.name),
            profile: p.profile.clone(),
            language: p.language.code(),
            search_text: p.search(),
            category: None,
            consent_at: None,
        }
    }

    /// A cancelled registration registered again by `p`: the details, the category and the
    /// consent given `now`.
    pub fn reopening(p: &'a Person, now: NaiveDateTime) -> Self {
        DetailsChange {
            category: Some(p.category.as_str()),
            consent_at: Some(now),
            ..DetailsChange::of(p)
        }
    }
}

/// A registration as organizers and its owner see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: i64,
    pub event: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub language: Language,
    pub category: Category,
    pub status: Status,
    /// Shown once the registration is confirmed.
    pub badge_code: Option<String>,
    pub consent_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub erased: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RegistrationOut {
    pub fn of(event_slug: &str, r: &RegistrationRow) -> Self {
        RegistrationOut {
            id: r.id,
            event: event_slug.to_string(),
            name: r.name.clone(),
            email: r.email.clone(),
            organization: r.organization.clone(),
            job_title: r.job_title.clone(),
            country: r.country.clone(),
            phone: r.phone.clone(),
            language: r.language(),
            category: r.category(),
            status: r.status(),
            badge_code: (r.status() == Status::Confirmed).then(|| r.badge_code.clone()),
            consent_at: r.consent_at.map(|t| t.and_utc()),
            confirmed_at: r.confirmed_at.map(|t| t.and_utc()),
            erased: r.erased_at.is_some(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// A booking's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Booked,
    Waitlisted,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Waitlisted => "waitlisted",
        }
    }

    pub(super) fn parse(s: &str) -> BookingStatus {
        if s == "booked" {
            BookingStatus::Booked
        } else {
            BookingStatus::Waitlisted
        }
    }
}

/// A seat (or a place on a session's waiting list), with a copy of its session's times.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bookings)]
pub struct BookingRow {
    pub id: i64,
    pub event_id: i64,
    pub session_id: i64,
    pub registration_id: i64,
    pub status: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl BookingRow {
    pub fn status(&self) -> BookingStatus {
        BookingStatus::parse(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_specification() {
        use Status::*;
        let all = [Pending, Confirmed, Waitlisted, Cancelled];
        let allowed: Vec<(Status, Status)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Pending, Confirmed),
                (Pending, Waitlisted),
                (Pending, Cancelled),
                (Confirmed, Cancelled),
                (Waitlisted, Confirmed),
                (Waitlisted, Cancelled),
                (Cancelled, Pending)
            ]
        );
    }
}
