//! A registration as sent — the API's body, the register form's fields, the attendee's own
//! details — and its parse step, shared by the edges and the service (which checks a public
//! registration against the event it reads from its cache).

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{Category, Person, Profile, RegistrationRow};
use crate::domain::text::{Check, Rule};
use crate::domain::{EmailAddress, Language};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::Event;

/// A registration, as sent by the API or the form (checked by [`person`]).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    /// The language of the emails; defaults to the event's.
    pub language: Option<Language>,
    /// The public may choose `visitor` (default) or `professional`; organizers any but
    /// `exhibitor_staff`.
    pub category: Option<Category>,
    /// Must be true for the public: the attendee agrees to the processing of their data for
    /// the fair.
    pub consent: Option<bool>,
}

/// The parse step of a registration: every field checked, every error reported (with those
/// found while reading the body, `shape`). `organizer` widens the categories.
pub fn person(
    body: NewRegistration,
    shape: Vec<FieldError>,
    event: &Event,
    organizer: bool,
) -> AppResult<Person> {
    let mut check = Check::new(shape);
    let name = check.text("name", body.name, 200);
    let email = check.required("email", body.email);
    let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
    let phone = check.optional_text("phone", body.phone.as_deref(), 30);
    if phone.as_ref().is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    }) {
        check.push(FieldError::rule("phone", Rule::Phone));
    }
    let category = body.category.unwrap_or(Category::Visitor);
    if category == Category::ExhibitorStaff {
        check.push(FieldError::with(
            "category",
            Rule::Choice,
            "exhibitor_staff comes only from exhibitors' staff passes",
        ));
    } else if !organizer && !category.is_public() {
        check.push(FieldError::with(
            "category",
            Rule::Choice,
            "must be visitor or professional (other categories are set by organizers)",
        ));
    }
    if !organizer && body.consent != Some(true) && !check.has("consent") {
        check.push(FieldError::rule("consent", Rule::Consent));
    }
    let organization = check.optional_text("organization", body.organization.as_deref(), 200);
    let job_title = check.optional_text("job_title", body.job_title.as_deref(), 200);
    let country = check.optional_text("country", body.country.as_deref(), 100);
    check.done().map_err(AppError::Validation)?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(AppError::internal(
            "registration checked without name or email",
        ));
    };
    Ok(Person {
        name,
        email,
        profile: Profile {
            organization,
            job_title,
            country,
            phone,
        },
        language: event.language_for(body.language),
        category,
    })
}

/// The parse step of an attendee's change to their own details: the registration's rules
/// for each field; the email and category are not theirs to change (the category of the
/// result is not written).
pub fn own_details(
    body: NewRegistration,
    reg: &RegistrationRow,
    event: &Event,
) -> AppResult<Person> {
    let email = reg
        .email
        .as_deref()
        .ok_or_else(|| AppError::Conflict("this registration was erased".into()))?;
    let body = NewRegistration {
        email: Some(email.to_string()),
        category: None,
        language: body.language.or(Some(reg.language())),
        ..body
    };
    person(body, vec![], event, true)
}
