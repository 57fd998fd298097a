use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::booths::BoothKind;
use crate::db::schema::exhibitors;
use crate::domain::{Language, Translatable};

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
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub description: Option<String>,
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
