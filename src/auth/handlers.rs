//! `POST /auth/tokens`, `DELETE /auth/tokens/{id}`, `POST /organizers`.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store;
use crate::audit;
use crate::domain::text::Rule;
use crate::domain::{EmailAddress, Role};
use crate::error::{AppError, AppResult};
use crate::web::identity::Organizer;
use crate::web::json::Json;
use crate::web::{AppState, Reply, State};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    #[schema(required = true, nullable = false)]
    pub password: Option<String>,
    /// A label for the token, e.g. "laptop" or "door scanner 2".
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    /// The current code of the authenticator app (or a recovery code): needed when the
    /// account has two-factor sign-in on.
    #[schema(nullable = false, max_length = 20, example = "123456")]
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    /// Shown once; only its hash is stored.
    pub token: String,
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth",
    request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 401, description = "wrong email or password, or a two-factor code missing or wrong"),
        (status = 403, description = "the admins require two-factor sign-in and this account has not turned it on"), (status = 422),
        (status = 429, description = "too many posts from this address, or too many failed logins of this account"),
        (status = 503, description = "too many password checks in flight; Retry-After")))]
pub async fn create_token(
    state: State,
    throttle: web::Data<super::throttle::Throttle>,
    req: actix_web::HttpRequest,
    body: Json<TokenRequest>,
) -> Reply {
    // A public POST like the others: it also slows down password guessing.
    state.limiter.check(&req)?;
    let (body, mut check) = body.into_parts().await?;
    let email = check.required("email", body.email);
    let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
    let password = check.required("password", body.password);
    let name = check.text("name", body.name, 100);
    let code = check.optional_text("code", body.code.as_deref(), 20);
    check.done().map_err(AppError::Validation)?;
    let (Some(email), Some(password), Some(name)) = (email, password, name) else {
        return Err(AppError::internal(
            "token request checked without its fields",
        ));
    };
    let row = super::check_credentials(&state.db, &throttle, email, password).await?;
    second_factor(&state, &throttle, &row, code).await?;
    let token = crate::crypto::new_token(super::ORGANIZER_PREFIX);
    let hash = crate::crypto::token_hash(&token);
    let token_name = name.clone();
    let id = state
        .db
        .write(move |c| {
            let id = store::insert_token(c, row.id, &token_name, &hash)?;
            audit::record(
                c,
                Some(row.id),
                None,
                "create",
                "api_token",
                Some(id),
                serde_json::json!({"name": token_name}),
            )?;
            Ok(id)
        })
        .await?;
    Ok(HttpResponse::Created().json(TokenCreated { id, token, name }))
}

/// The second factor of a token request: the account's current code when two-factor sign-in
/// is on (a wrong one counts as a failed login); 403 when the admins require two-factor and
/// the account has not turned it on.
async fn second_factor(
    state: &AppState,
    throttle: &super::throttle::Throttle,
    row: &store::OrganizerRow,
    code: Option<String>,
) -> AppResult<()> {
    if row.two_factor().is_none() {
        let required = state.db.run(|c| Ok(store::two_factor_required(c)?)).await?;
        if required {
            return Err(AppError::Forbidden(
                "the admins require two-factor sign-in: turn it on at /console/account first"
                    .into(),
            ));
        }
        return Ok(());
    }
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(AppError::Unauthorized(
            "this account signs in with two-factor: send the app's current code in `code`".into(),
        ));
    };
    let now = state.clock.now().naive_utc();
    let checked = row.clone();
    let accepted = state
        .db
        .write(move |c| super::two_factor::accept(c, &checked, &code, now))
        .await?;
    if !accepted {
        throttle.failed(&row.email);
        return Err(AppError::Unauthorized(
            "wrong or used two-factor code".into(),
        ));
    }
    Ok(())
}

#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 204, description = "revoked"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn revoke_token(state: State, who: Organizer, path: web::Path<i64>) -> Reply {
    let token_id = path.into_inner();
    state
        .db
        .write(move |c| {
            let (owner, revoked) = store::token_owner(c, token_id)?
                .ok_or_else(|| AppError::not_found("no such token"))?;
            if owner != who.id && !who.role.allows(Role::Admin) {
                // Someone else's token: do not even confirm it exists.
                return Err(AppError::not_found("no such token"));
            }
            if revoked.is_some() {
                return Err(AppError::not_found("no such token (already revoked)"));
            }
            super::revoke_api_token(c, who.id, token_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganizer {
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    /// At least 10 characters.
    #[schema(required = true, nullable = false)]
    #[schema(min_length = 10, max_length = 1024)]
    pub password: Option<String>,
    #[schema(required = true, nullable = false)]
    pub role: Option<Role>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizerOut {
    pub id: i64,
    pub email: String,
    pub role: Role,
}

#[utoipa::path(post, path = "/api/v1/organizers", tag = "auth",
    request_body = NewOrganizer,
    responses((status = 201, body = OrganizerOut), (status = 401), (status = 403), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn create_organizer(state: State, who: Organizer, body: Json<NewOrganizer>) -> Reply {
    who.require(Role::Admin)?;
    let (body, mut check) = body.into_parts().await?;
    let email = check.required("email", body.email);
    let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
    let password = check.required("password", body.password);
    let password = check.parse("password", Rule::Invalid, password.as_deref(), |p| {
        super::check_password(p).map(|()| p.to_string())
    });
    let role = check.required("role", body.role);
    check.done().map_err(AppError::Validation)?;
    let (Some(email), Some(password), Some(role)) = (email, password, role) else {
        return Err(AppError::internal("organizer checked without its fields"));
    };
    let hash = web::block(move || super::hash_password(&password)).await??;
    let out_email = email.to_string();
    let id = state
        .db
        .write(move |c| {
            let id = super::create_organizer(c, &email, &hash, role)?;
            audit::record(
                c,
                Some(who.id),
                None,
                "create",
                "organizer",
                Some(id),
                serde_json::json!({"role": role}),
            )?;
            Ok(id)
        })
        .await?;
    Ok(HttpResponse::Created().json(OrganizerOut {
        id,
        email: out_email,
        role,
    }))
}

/// Creates an organizer from the command line (`salon admin create`).
/// Sets a new password for the organizer `email` from the command line, and ends every one of
/// their console sessions and API tokens (someone who knew the old one is out at once).
pub fn reset_password_from_cli(
    c: &mut crate::db::Conn,
    email: &str,
    password: &str,
) -> AppResult<i64> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::validation("email", m))?;
    super::check_password(password).map_err(|m| AppError::validation("password", m))?;
    let hash = super::hash_password(password)?;
    c.write_tx(|c| {
        let organizer = store::find_by_email(c, &email)?
            .ok_or_else(|| AppError::not_found(format!("no organizer {email}")))?;
        store::set_password_hash(c, organizer.id, &hash)?;
        store::set_unlocked(c, organizer.id, crate::db::now())?;
        super::sessions::end_others(c, organizer.id, None)?;
        let revoked = store::revoke_tokens_of(c, organizer.id, crate::db::now())?;
        audit::record(
            c,
            None,
            None,
            "reset_password",
            "organizer",
            Some(organizer.id),
            serde_json::json!({"via": "cli", "tokens_revoked": revoked}),
        )?;
        Ok(organizer.id)
    })
}

/// `salon admin unlock`: the organizer may sign in again at once, though it failed too often
/// (a running server forgets the failures counted before now, see `auth::throttle`).
pub fn unlock_from_cli(c: &mut crate::db::Conn, email: &str) -> AppResult<i64> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::validation("email", m))?;
    c.write_tx(|c| {
        let organizer = store::find_by_email(c, &email)?
            .ok_or_else(|| AppError::not_found(format!("no organizer {email}")))?;
        store::set_unlocked(c, organizer.id, crate::db::now())?;
        audit::record(
            c,
            None,
            None,
            "unlock",
            "organizer",
            Some(organizer.id),
            serde_json::json!({"via": "cli"}),
        )?;
        Ok(organizer.id)
    })
}

pub fn create_from_cli(
    c: &mut crate::db::Conn,
    email: &str,
    password: &str,
    role: Role,
) -> AppResult<i64> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::validation("email", m))?;
    super::check_password(password).map_err(|m| AppError::validation("password", m))?;
    let hash = super::hash_password(password)?;
    c.write_tx(|c| {
        let id = super::create_organizer(c, &email, &hash, role)?;
        audit::record(
            c,
            None,
            None,
            "create",
            "organizer",
            Some(id),
            serde_json::json!({"role": role, "via": "cli"}),
        )?;
        Ok(id)
    })
}

/// The tokens and organizers of the API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_create_token, create_token);
    r.add(__path_revoke_token, revoke_token);
    r.add(__path_create_organizer, create_organizer);
}
