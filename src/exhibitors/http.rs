//! The public application and its confirmation in the API: `POST …/events/{slug}/exhibitors`
//! and `POST /exhibitors/confirm`. The `/events/{slug}/exhibit` form (`pages.rs`) goes through
//! the same parse step and write.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Application, BoothKind, ExhibitorOut, Profile};
use super::service;
use crate::domain::text::{Check, Rule};
use crate::domain::{EmailAddress, Language};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::store as events;
use crate::registrations::handlers::{Accepted, Confirming};
use crate::web::json::{ConfirmRequest, Json};
use crate::web::{Reply, SlugPath, State};

/// An application, as sent by the API or the form (checked by [`application`]).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExhibitor {
    #[schema(required = true, nullable = false)]
    pub company_name: Option<String>,
    #[schema(required = true, nullable = false)]
    pub contact_name: Option<String>,
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(
        pattern = r"^[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https?://[^\s\x00-\x1F\x7F-\x9F\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]*|[^\s:\x00-\x1F\x7F-\x9F\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]+)?[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub website: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub description: Option<String>,
    #[schema(required = true, nullable = false)]
    pub booth_kind: Option<BoothKind>,
    /// 1 to 10 000.
    #[schema(required = true, nullable = false)]
    #[schema(minimum = 1, maximum = 10_000)]
    pub booth_area_m2: Option<i32>,
    pub language: Option<Language>,
    /// Must be true: the company agrees to the processing of its contact's data.
    #[schema(required = true, nullable = false)]
    pub consent: Option<bool>,
}

/// The parse step of an application: every field checked, every error reported (with
/// `shape`, those found while reading the body).
pub fn application(
    body: NewExhibitor,
    shape: Vec<FieldError>,
    event: &crate::events::Event,
) -> AppResult<Application> {
    let mut check = Check::new(shape);
    let company_name = check.text("company_name", body.company_name, 200);
    let contact_name = check.text("contact_name", body.contact_name, 200);
    let email = check.required("email", body.email);
    let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
    let website = check.optional_text("website", body.website.as_deref(), 300);
    let website = crate::domain::text::website(website, check.errors());
    let description = check.long_text("description", body.description.as_deref(), 2000);
    let booth_kind = check.required("booth_kind", body.booth_kind);
    let area = check.required("booth_area_m2", body.booth_area_m2);
    let area = check.range("booth_area_m2", area.map(i64::from), 1, 10_000);
    if body.consent != Some(true) && !check.has("consent") {
        check.push(FieldError::rule("consent", Rule::Consent));
    }
    let phone = check.optional_text("phone", body.phone.as_deref(), 30);
    let country = check.optional_text("country", body.country.as_deref(), 100);
    let country = crate::domain::text::country("country", country, check.errors());
    let sector = check.optional_text("sector", body.sector.as_deref(), 100);
    check.done().map_err(AppError::Validation)?;
    let (Some(company_name), Some(contact_name), Some(email), Some(booth_kind), Some(area)) =
        (company_name, contact_name, email, booth_kind, area)
    else {
        return Err(AppError::internal("application checked without its fields"));
    };
    Ok(Application {
        profile: Profile {
            company_name,
            contact_name,
            phone,
            website,
            country,
            sector,
            description,
        },
        email,
        booth_kind,
        booth_area_m2: area as i32,
        language: event.language_for(body.language),
    })
}

const ACCEPTED: Accepted = Accepted {
    status: "accepted",
    detail: "Thank you. Please check your email to confirm your application.",
};

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors", tag = "exhibitors",
    params(("slug" = String, Path)), request_body = NewExhibitor,
    responses((status = 202, body = Accepted, description = "the same answer whether or not the email already applied"), (status = 404), (status = 422), (status = 429)))]
pub async fn apply(
    state: State,
    req: HttpRequest,
    slug: SlugPath,
    body: Json<NewExhibitor>,
) -> Reply {
    state.limiter.check(&req)?;
    let (body, check) = body.into_parts().await?;
    submit(&state, slug.into_inner(), body, check.into_errors()).await?;
    Ok(HttpResponse::Accepted().json(ACCEPTED))
}

/// Shared by the API and the `/events/{slug}/exhibit` form (`shape`: the errors found while
/// reading the body).
pub async fn submit(
    state: &State,
    slug: String,
    body: NewExhibitor,
    shape: Vec<FieldError>,
) -> AppResult<()> {
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            if !event.is_published() {
                return Err(AppError::not_found(format!("no event `{slug}`")));
            }
            let a = application(body, shape, &event)?;
            service::apply(c, &settings, &event, &a)
        })
        .await?;
    Ok(())
}

/// A confirmed application and the exhibitor's manage token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmedExhibitor {
    #[serde(flatten)]
    pub exhibitor: ExhibitorOut,
    /// The exhibitor's manage token (for `/api/v1/exhibitor` and its page `/exhibitor/{token}`),
    /// from the confirmation on: it may edit its profile or withdraw while the organizers review.
    pub manage_token: String,
}

#[utoipa::path(post, path = "/api/v1/exhibitors/confirm", tag = "exhibitors",
    request_body = ConfirmRequest,
    responses((status = 200, body = ConfirmedExhibitor, description = "submitted; the event's contact is emailed"),
        (status = 404), (status = 409), (status = 410), (status = 429)))]
pub async fn confirm(link: Confirming) -> Reply {
    Ok(HttpResponse::Ok().json(confirm_token(link).await?))
}

/// Shared by the API route and the confirmation page.
pub async fn confirm_token(link: Confirming) -> AppResult<ConfirmedExhibitor> {
    link.write(false, |c, settings, token, now| {
        let (event, ex, manage_token) = service::confirm(c, settings, token, now)?;
        Ok(ConfirmedExhibitor {
            exhibitor: service::out(c, &event, &ex)?,
            manage_token,
        })
    })
    .await
}

/// Applying and confirming in the API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_apply, apply);
    r.add(__path_confirm, confirm);
}
