//! The exhibitors' and booths' types: statuses and their transitions, rows as stored, the
//! forms a write stores, and what the API shows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{booths, exhibitors};
use crate::domain::text::{Check, FieldError};
use crate::domain::{EmailAddress, Language, Translatable};

/// An exhibitor's status; the transitions of SPEC §3 live in [`Status::can_become`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ExhibitorStatus)]
pub enum Status {
    Pending,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Status {
        match s {
            "submitted" => Status::Submitted,
            "approved" => Status::Approved,
            "rejected" => Status::Rejected,
            "withdrawn" => Status::Withdrawn,
            _ => Status::Pending,
        }
    }

    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Pending, Submitted)
                | (Submitted, Approved)
                | (Submitted, Rejected)
                | (Pending, Withdrawn)
                | (Submitted, Withdrawn)
                | (Approved, Withdrawn)
        )
    }

    /// How the exhibitor's emails name the status.
    pub fn label(self, lang: Language) -> &'static str {
        use Language::*;
        match (self, lang) {
            (Status::Pending, Ar) => "في انتظار تأكيد البريد الإلكتروني",
            (Status::Pending, Fr) => "en attente de confirmation de l'adresse e-mail",
            (Status::Pending, En) => "waiting for email confirmation",
            (Status::Submitted, Ar) => "قيد الدراسة",
            (Status::Submitted, Fr) => "en cours d'examen",
            (Status::Submitted, En) => "under review",
            (Status::Approved, Ar) => "مقبول",
            (Status::Approved, Fr) => "acceptée",
            (Status::Approved, En) => "approved",
            (Status::Rejected, Ar) => "مرفوض",
            (Status::Rejected, Fr) => "refusée",
            (Status::Rejected, En) => "declined",
            (Status::Withdrawn, Ar) => "مسحوب",
            (Status::Withdrawn, Fr) => "retirée",
            (Status::Withdrawn, En) => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    Waived,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Waived => "waived",
        }
    }
    pub fn parse(s: &str) -> PaymentStatus {
        match s {
            "paid" => PaymentStatus::Paid,
            "waived" => PaymentStatus::Waived,
            _ => PaymentStatus::Unpaid,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exhibitors)]
pub struct ExhibitorRow {
    pub id: i64,
    pub event_id: i64,
    #[diesel(embed)]
    pub profile: Profile,
    pub email: String,
    pub booth_kind: String,
    pub booth_area_m2: i32,
    pub language: String,
    pub status: String,
    pub booth_id: Option<i64>,
    pub payment_status: String,
    pub rejection_reason: Option<String>,
    pub consent_at: NaiveDateTime,
    pub search_text: String,
    pub confirm_sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub erased_at: Option<NaiveDateTime>,
}

impl ExhibitorRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }
    pub fn language(&self) -> Language {
        self.language.parse().unwrap_or(Language::Fr)
    }
}

/// What an exhibitor says of itself: written by its application, changed by its own edits
/// (`self_service::apply_profile`), read in [`ExhibitorRow`]. `None` is an empty column.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = exhibitors, treat_none_as_null = true)]
pub struct Profile {
    pub company_name: String,
    pub contact_name: String,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub description: Option<String>,
}

/// An application, checked.
#[derive(Debug, Clone)]
pub struct Application {
    pub profile: Profile,
    pub email: EmailAddress,
    pub booth_kind: BoothKind,
    pub booth_area_m2: i32,
    pub language: Language,
}

/// The booth an exhibitor holds, as shown with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoothRef {
    pub code: String,
    pub hall: Translatable,
    pub staff_passes: i32,
}

/// A staff pass as its exhibitor sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffOut {
    /// The staff member's registration id (for `DELETE /exhibitor/staff/{id}`).
    pub id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub status: String,
}

/// An exhibitor as organizers and the exhibitor itself see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExhibitorOut {
    pub id: i64,
    pub event: String,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub description: Option<String>,
    pub booth_kind: BoothKind,
    pub booth_area_m2: i32,
    pub language: Language,
    pub status: Status,
    pub booth: Option<BoothRef>,
    pub payment_status: PaymentStatus,
    pub rejection_reason: Option<String>,
    pub staff: Vec<StaffOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once the contact's personal data is erased (contact name, email and phone blank).
    pub erased: bool,
}

/// An approved exhibitor in the public directory: these fields and no others.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicExhibitor {
    pub company_name: String,
    pub website: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub description: Option<String>,
    pub booth_code: Option<String>,
    pub hall: Option<Translatable>,
}

// ---------------------------------------------------------------------------------------------
// Booths

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BoothKind {
    Standard,
    Corner,
    Island,
}

impl BoothKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BoothKind::Standard => "standard",
            BoothKind::Corner => "corner",
            BoothKind::Island => "island",
        }
    }
    pub fn parse(s: &str) -> BoothKind {
        match s {
            "corner" => BoothKind::Corner,
            "island" => BoothKind::Island,
            _ => BoothKind::Standard,
        }
    }
    pub fn label(self, lang: crate::domain::Language) -> &'static str {
        use crate::domain::Language::*;
        match (self, lang) {
            (BoothKind::Standard, Ar) => "رواق عادي",
            (BoothKind::Standard, Fr) => "stand standard",
            (BoothKind::Standard, En) => "standard booth",
            (BoothKind::Corner, Ar) => "رواق زاوية",
            (BoothKind::Corner, Fr) => "stand d'angle",
            (BoothKind::Corner, En) => "corner booth",
            (BoothKind::Island, Ar) => "رواق جزيرة",
            (BoothKind::Island, Fr) => "stand îlot",
            (BoothKind::Island, En) => "island booth",
        }
    }
}

/// An amount of money in minor units (centimes) and its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Minor units: 1500000 MAD is 15 000,00 MAD.
    #[schema(minimum = 0)]
    pub amount: i64,
    #[schema(example = "MAD")]
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booths)]
pub struct BoothRow {
    pub id: i64,
    pub event_id: i64,
    #[diesel(embed)]
    pub form: BoothForm,
    pub created_at: NaiveDateTime,
}

/// Booth codes are upper-cased: `b12` and `B12` are the same booth.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// A booth's columns as written (insert and update), and as read (in [`BoothRow`]).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = booths)]
pub struct BoothForm {
    pub code: String,
    pub hall: String,
    pub area_m2: i32,
    pub kind: String,
    pub staff_passes: i32,
    pub price_amount: i64,
    pub price_currency: String,
}

impl BoothForm {
    /// Checks a booth as it would be; every error goes to `check`.
    pub fn check(
        code: &str,
        hall: &Translatable,
        area: i32,
        kind: BoothKind,
        passes: i32,
        price: &Money,
        check: &mut Check,
    ) -> BoothForm {
        let code = normalize_code(code);
        if code.is_empty()
            || code.len() > 16
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            check.push(FieldError::new(
                "code",
                "must be 1 to 16 letters, digits or hyphens, like B12",
            ));
        }
        hall.check("hall", 200, check.errors());
        check.range("area_m2", Some(area.into()), 1, 100_000);
        check.range("staff_passes", Some(passes.into()), 0, 1000);
        if price.amount < 0 {
            check.push(FieldError::new("price.amount", "must not be negative"));
        }
        if price.currency.len() != 3 || !price.currency.chars().all(|c| c.is_ascii_uppercase()) {
            check.push(FieldError::new(
                "price.currency",
                "must be an ISO 4217 code like MAD or EUR",
            ));
        }
        BoothForm {
            code,
            hall: hall.to_db(),
            area_m2: area,
            kind: kind.as_str().to_string(),
            staff_passes: passes,
            price_amount: price.amount,
            price_currency: price.currency.clone(),
        }
    }
}
