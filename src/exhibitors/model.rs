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
    /// How many meetings it holds at once at its booth.
    pub meeting_tables: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once the contact's personal data is erased (contact name, email and phone blank).
    pub erased: bool,
}

/// What an organizer should know after a review step, though nothing was refused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewWarning {
    /// `booth_smaller_than_requested` or `booth_kind_differs`.
    #[schema(example = "booth_smaller_than_requested")]
    pub code: String,
    #[schema(example = "booth A12 has 9 m², the application asked for 18 m²")]
    pub detail: String,
}

/// An exhibitor as a review step left it, with the warnings about its booth.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedExhibitor {
    #[serde(flatten)]
    pub exhibitor: ExhibitorOut,
    /// Empty when the booth matches what was asked (or there is none).
    pub warnings: Vec<ReviewWarning>,
}

/// An approved exhibitor in the public directory: these fields and no others.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicExhibitor {
    /// What a meeting request names (`POST /me/meetings`, `…/meetings/slots?exhibitor_id=`).
    pub id: i64,
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

impl Money {
    /// The amount as a reader of `lang` writes it: `15 000,00 MAD` in French and Arabic (as
    /// Morocco writes it, isolated left to right in Arabic), `MAD 15,000.00` in English; the
    /// decimals the currency has (none for XOF or JPY, three for TND).
    pub fn display(&self, lang: Language) -> String {
        let decimals: u32 = match self.currency.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        };
        let unit = 10i64.pow(decimals);
        let (whole, fraction) = (self.amount / unit, self.amount % unit);
        let (group, point) = match lang {
            Language::En => (',', '.'),
            Language::Fr | Language::Ar => ('\u{202F}', ','),
        };
        let digits = whole.to_string();
        let mut grouped = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(d);
        }
        if decimals > 0 {
            grouped.push(point);
            grouped.push_str(&format!("{fraction:0width$}", width = decimals as usize));
        }
        match lang {
            Language::En => format!("{} {grouped}", self.currency),
            Language::Fr => format!("{grouped}\u{a0}{}", self.currency),
            Language::Ar => format!("\u{2066}{grouped}\u{a0}{}\u{2069}", self.currency),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_each_language_writes_it() {
        let mad = Money {
            amount: 1_500_000,
            currency: "MAD".into(),
        };
        assert_eq!(mad.display(Language::Fr), "15\u{202F}000,00\u{a0}MAD");
        assert_eq!(mad.display(Language::En), "MAD 15,000.00");
        assert_eq!(
            mad.display(Language::Ar),
            "\u{2066}15\u{202F}000,00\u{a0}MAD\u{2069}"
        );
        let xof = Money {
            amount: 250_000,
            currency: "XOF".into(),
        };
        assert_eq!(xof.display(Language::En), "XOF 250,000");
        let tnd = Money {
            amount: 1_234_500,
            currency: "TND".into(),
        };
        assert_eq!(tnd.display(Language::En), "TND 1,234.500");
        assert_eq!(
            Money {
                amount: 5,
                currency: "EUR".into()
            }
            .display(Language::En),
            "EUR 0.05"
        );
    }
}
