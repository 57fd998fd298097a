//! The exhibitor's own routes, with its manage token (`Authorization: Bearer sle_…`):
//! `GET/PATCH /exhibitor`, `POST /exhibitor/withdraw`, `POST /exhibitor/staff`,
//! `DELETE /exhibitor/staff/{id}`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{ready, Ready};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{ExhibitorOut, ExhibitorRow};
use super::{service, store};
use crate::auth::owner_tokens::{EXHIBITORS as TOKENS, MANAGE};
use crate::db::Conn;
use crate::domain::text::{short_text, Rule};
use crate::domain::{search_text, EmailAddress, Language};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::Event;
use crate::web::identity::owner_bearer;
use crate::web::json::{double_option, told_to_owner, Json};
use crate::web::{Reply, State};

/// The holder of an exhibitor manage token.
pub struct Exhibitor {
    pub token: String,
}

impl FromRequest for Exhibitor {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(owner_bearer(req, TOKENS.prefix, "exhibitor").map(|token| Exhibitor { token }))
    }
}

/// The exhibitor and event of a manage token, the event locked for a write.
pub fn resolve(c: &mut Conn, token: &str) -> AppResult<(Event, ExhibitorRow)> {
    let found = TOKENS
        .find(c, token, MANAGE)?
        .ok_or_else(|| AppError::Unauthorized("unknown exhibitor token".into()))?;
    let ex = store::find_by_id(c, found.owner_id)?;
    let event = crate::events::store::lock_by_id(c, ex.event_id)?;
    let ex = store::find_by_id(c, ex.id)?;
    Ok((event, ex))
}

async fn with_exhibitor(
    state: &State,
    token: String,
    f: impl FnOnce(&mut Conn, &crate::config::Settings, &Event, &ExhibitorRow) -> AppResult<()>
        + Send
        + 'static,
) -> AppResult<ExhibitorOut> {
    let settings = state.settings.clone();
    let out = state
        .db
        .write(move |c| {
            let (event, ex) = resolve(c, &token)?;
            f(c, &settings, &event, &ex)?;
            let ex = store::find_by_id(c, ex.id)?;
            service::out(c, &event, &ex)
        })
        .await?;
    Ok(out)
}

/// 401 unless `token` is a live exhibitor token (see `web::json::told_to_owner`).
async fn owner(state: &State, token: String) -> AppResult<()> {
    state.db.run(move |c| resolve(c, &token).map(|_| ())).await
}

#[utoipa::path(get, path = "/api/v1/exhibitor", tag = "exhibitor",
    responses((status = 200, body = ExhibitorOut), (status = 401)), security(("bearer" = [])))]
pub async fn get(state: State, who: Exhibitor) -> Reply {
    let out = with_exhibitor(&state, who.token, |_, _, _, _| Ok(())).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The public profile; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub company_name: Option<String>,
    pub contact_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    #[schema(
        pattern = r"^[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https?://[^\s\x00-\x1F\x7F-\x9F\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]*|[^\s:\x00-\x1F\x7F-\x9F\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]+)?[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub sector: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub language: Option<Language>,
    /// How many meetings it holds at once at its booth (SPEC §4.4); 0 takes none.
    #[schema(nullable = false, minimum = 0, maximum = 50)]
    pub meeting_tables: Option<i32>,
}

#[utoipa::path(patch, path = "/api/v1/exhibitor", tag = "exhibitor", request_body = ProfilePatch,
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn update(state: State, who: Exhibitor, body: Json<ProfilePatch>) -> Reply {
    let token = who.token.clone();
    let (p, check) = told_to_owner(body.into_parts().await, || owner(&state, token)).await?;
    let shape = check.into_errors();
    let out = with_exhibitor(&state, who.token, move |c, _, _, ex| {
        apply_profile(c, ex, p, shape)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The parse step and the write of a profile change, shared by the API and the exhibitor's
/// page (`shape`: the errors found while reading the body). Run in the event's write
/// transaction.
pub fn apply_profile(
    c: &mut Conn,
    ex: &ExhibitorRow,
    p: ProfilePatch,
    shape: Vec<FieldError>,
) -> AppResult<()> {
    let mut errors = shape;
    // A field sent replaces the current one; `null` or blank clears an optional one.
    let text = |field: &str,
                v: Option<Option<String>>,
                cur: &mut Option<String>,
                max: usize,
                errors: &mut Vec<FieldError>| match v {
        None => {}
        Some(Some(s)) if !s.trim().is_empty() => *cur = Some(short_text(field, &s, max, errors)),
        Some(_) => *cur = None,
    };
    let mut profile = ex.profile.clone();
    if let Some(s) = p.company_name {
        profile.company_name = short_text("company_name", &s, 200, &mut errors);
    }
    if let Some(s) = p.contact_name {
        profile.contact_name = short_text("contact_name", &s, 200, &mut errors);
    }
    text("phone", p.phone, &mut profile.phone, 30, &mut errors);
    text("website", p.website, &mut profile.website, 300, &mut errors);
    profile.website = crate::domain::text::website(profile.website.take(), &mut errors);
    if p.country.is_some() {
        text("country", p.country, &mut profile.country, 100, &mut errors);
        profile.country =
            crate::domain::text::country("country", profile.country.take(), &mut errors);
    }
    text("sector", p.sector, &mut profile.sector, 100, &mut errors);
    if let Some(d) = p.description {
        profile.description =
            crate::domain::text::long_text("description", d.as_deref(), 2000, &mut errors);
    }
    let tables = p.meeting_tables.filter(|t| {
        let fits = (0..=50).contains(t);
        if !fits {
            errors.push(FieldError::rule(
                "meeting_tables",
                crate::domain::text::Rule::Range(0, 50),
            ));
        }
        fits
    });
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut parts = vec![
        profile.company_name.as_str(),
        profile.contact_name.as_str(),
        ex.email.as_str(),
    ];
    parts.extend(profile.sector.as_deref());
    let search = search_text(parts);
    store::update_profile(
        c,
        &ExhibitorRow {
            language: p.language.unwrap_or(ex.language()).code().to_string(),
            search_text: search,
            profile,
            ..ex.clone()
        },
    )?;
    if let Some(tables) = tables {
        store::set_meeting_tables(c, ex.id, tables)?;
    }
    crate::audit::record(
        c,
        None,
        Some(ex.event_id),
        "update",
        "exhibitor_profile",
        Some(ex.id),
        serde_json::json!({"by": "exhibitor"}),
    )?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/exhibitor/withdraw", tag = "exhibitor",
    responses((status = 200, body = ExhibitorOut, description = "withdrawn: the booth is freed and staff passes cancelled"), (status = 401), (status = 409)),
    security(("bearer" = [])))]
pub async fn withdraw(state: State, who: Exhibitor) -> Reply {
    let out = with_exhibitor(&state, who.token, |c, s, e, ex| {
        service::withdraw_own(c, s, e, ex, None)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    /// The staff member's language for the pass email; defaults to the exhibitor's.
    pub language: Option<Language>,
}

#[utoipa::path(post, path = "/api/v1/exhibitor/staff", tag = "exhibitor", request_body = NewStaff,
    responses((status = 201, body = ExhibitorOut, description = "a confirmed exhibitor_staff registration, emailed its badge"), (status = 401),
        (status = 409, description = "all of the booth's staff passes are used, or that address holds another registration for this fair"), (status = 422)),
    security(("bearer" = [])))]
pub async fn add_staff(state: State, who: Exhibitor, body: Json<NewStaff>) -> Reply {
    let parsed = body.into_parts().await.and_then(|(body, mut check)| {
        let name = check.text("name", body.name, 200);
        let email = check.required("email", body.email);
        let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
        check.done().map_err(AppError::Validation)?;
        Ok((name, email, body.language))
    });
    let token = who.token.clone();
    let (name, email, language) = told_to_owner(parsed, || owner(&state, token)).await?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(AppError::internal(
            "staff pass checked without name or email",
        ));
    };
    let out = with_exhibitor(&state, who.token, move |c, s, e, ex| {
        let reg = service::add_staff(c, s, e, ex, name, email, language)?;
        service::audit_staff(c, ex, "create", reg.id, None)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(delete, path = "/api/v1/exhibitor/staff/{id}", tag = "exhibitor",
    params(("id" = i64, Path, description = "the staff member's registration id")),
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn remove_staff(state: State, who: Exhibitor, id: web::Path<i64>) -> Reply {
    let id = id.into_inner();
    let out = with_exhibitor(&state, who.token, move |c, s, e, ex| {
        service::remove_staff(c, s, e, ex, id)?;
        service::audit_staff(c, ex, "cancel", id, None)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/exhibitor/erase", tag = "exhibitor",
    responses((status = 204, description = "the contact's personal data is erased (the application withdrawn first if still in the running); the token no longer works"),
        (status = 401)),
    security(("bearer" = [])))]
pub async fn erase(state: State, who: Exhibitor) -> Reply {
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| {
            let (event, ex) = resolve(c, &who.token)?;
            service::erase(c, &settings, &event, &ex)?;
            Ok(crate::audit::record(
                c,
                None,
                Some(event.id),
                "erase",
                "exhibitor",
                Some(ex.id),
                serde_json::json!({"by": "exhibitor"}),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The exhibitor's own application (`/api/v1/exhibitor`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_get, get);
    r.add(__path_update, update);
    r.add(__path_withdraw, withdraw);
    r.add(__path_erase, erase);
    r.add(__path_add_staff, add_staff);
    r.add(__path_remove_staff, remove_staff);
}
