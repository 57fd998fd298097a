//! The organizer's own account in the console, `/console/account`: change the password (the
//! current one asked again; the account's other console sessions end), and the API tokens —
//! made here with a name (the token is shown once, on the page that made it), listed, revoked.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::{sessions, store};
use crate::audit;
use crate::domain::{dates, FieldError, Language};
use crate::error::AppError;
use crate::web::console::{form_errors, Console, ConsoleError, Posted};
use crate::web::words::{word, Section};

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleTeam, key)
}

fn account_page(
    console: &Console,
    status: StatusCode,
    errors: &[FieldError],
    created: Option<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let lang = console.lang;
    let id = console.organizer().id;
    let tokens = {
        let mut pooled = console
            .state
            .db
            .get()
            .map_err(|e| console.error(e.into()))?;
        store::tokens_of(&mut pooled.conn(), id).map_err(|e| console.error(e.into()))?
    };
    let action = |path: String| context! { url => format!("{path}?lang={}", lang.code()), csrf => console.csrf(&path) };
    console.page(
        status,
        "console/account.html",
        &[Section::ConsoleTeam],
        context! {
            email => &console.who.email,
            role => word(lang, Section::Console, &format!("role_{}", console.organizer().role)),
            password_form => action("/console/account/password".into()),
            token_form => action("/console/account/tokens".into()),
            tokens => tokens.iter().map(|t| context! {
                name => &t.name,
                created => dates::day(lang, t.created_at.date()),
                revoked => t.revoked_at.is_some(),
                revoke => action(format!("/console/account/tokens/{}/revoke", t.id)),
            }).collect::<Vec<_>>(),
            created => created.map(|(name, token)| context! { name => name, token => token }),
            errors => form_errors(lang, errors),
            notice => console.done(Section::ConsoleTeam),
        },
    )
}

#[utoipa::path(get, path = "/console/account", tag = "console",
    responses((status = 200, description = "the organizer's own account: password, API tokens", content_type = "text/html"), (status = 303)))]
pub async fn account(console: Console) -> Result<HttpResponse, ConsoleError> {
    account_page(&console, StatusCode::OK, &[], None)
}

#[utoipa::path(post, path = "/console/account/password", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "current, password, again, csrf"),
    responses((status = 303, description = "changed: the account's other console sessions are ended"), (status = 403), (status = 422, description = "the current password is wrong, or the new one is refused: said on the form")))]
pub async fn password(posted: Posted) -> Result<HttpResponse, ConsoleError> {
    let Posted { console, form } = posted;
    let lang = console.lang;
    let (id, session) = (console.organizer().id, console.who.session_id);
    let current = form.text("current").unwrap_or_default();
    let new = form.text("password").unwrap_or_default();
    let stored = {
        let mut pooled = console
            .state
            .db
            .get()
            .map_err(|e| console.error(e.into()))?;
        store::find_organizer(&mut pooled.conn(), id)
            .map_err(|e| console.error(e.into()))?
            .map(|o| o.password_hash)
    };
    let (checked, new_checked) = (current.clone(), new.clone());
    let right = web::block(move || super::verify_password(&checked, stored.as_deref()))
        .await
        .map_err(|e| console.error(e.into()))?;
    let mut errors = Vec::new();
    if !right {
        errors.push(FieldError::new("current", w(lang, "account_wrong_current")));
    } else if let Err(m) = super::check_password(&new_checked) {
        errors.push(FieldError::new("password", m));
    } else if form.text("again").as_deref() != Some(new.as_str()) {
        errors.push(FieldError::new("again", w(lang, "team_mismatch")));
    }
    if !errors.is_empty() {
        return account_page(&console, StatusCode::UNPROCESSABLE_ENTITY, &errors, None);
    }
    let hash = web::block(move || super::hash_password(&new))
        .await
        .map_err(|e| console.error(e.into()))?
        .map_err(|e| console.error(e.into()))?;
    console
        .state
        .db
        .write(move |c| {
            store::set_password_hash(c, id, &hash)?;
            sessions::end_others(c, id, Some(session))?;
            audit::record(
                c,
                Some(id),
                None,
                "change_password",
                "organizer",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await
        .map_err(|e| console.error(e))?;
    Ok(console.see_other("/console/account?done=account_done_password"))
}

#[utoipa::path(post, path = "/console/account/tokens", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "name, csrf"),
    responses((status = 200, description = "made: the token shown once, on this page"), (status = 403), (status = 422)))]
pub async fn create_token(posted: Posted) -> Result<HttpResponse, ConsoleError> {
    let Posted { console, form } = posted;
    let mut errors = Vec::new();
    let name = crate::domain::text::short_text(
        "name",
        &form.text("name").unwrap_or_default(),
        100,
        &mut errors,
    );
    if !errors.is_empty() {
        return account_page(&console, StatusCode::UNPROCESSABLE_ENTITY, &errors, None);
    }
    let id = console.organizer().id;
    let token = crate::crypto::new_token(super::ORGANIZER_PREFIX);
    let hash = crate::crypto::token_hash(&token);
    let token_name = name.clone();
    console
        .state
        .db
        .write(move |c| {
            let token_id = store::insert_token(c, id, &token_name, &hash)?;
            audit::record(
                c,
                Some(id),
                None,
                "create",
                "api_token",
                Some(token_id),
                serde_json::json!({"name": token_name}),
            )?;
            Ok(())
        })
        .await
        .map_err(|e| console.error(e))?;
    account_page(&console, StatusCode::OK, &[], Some((name, token)))
}

#[utoipa::path(post, path = "/console/account/tokens/{id}/revoke", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "revoked"), (status = 403), (status = 404, description = "not one of this organizer's tokens")))]
pub async fn revoke_token(
    posted: Posted,
    token: web::Path<i64>,
) -> Result<HttpResponse, ConsoleError> {
    let Posted { console, .. } = posted;
    let (id, token_id) = (console.organizer().id, token.into_inner());
    console
        .state
        .db
        .write(move |c| {
            match store::token_owner(c, token_id)? {
                Some((owner, None)) if owner == id => {}
                _ => return Err(AppError::not_found("no such token")),
            }
            store::revoke_token(c, token_id)?;
            audit::record(
                c,
                Some(id),
                None,
                "revoke",
                "api_token",
                Some(token_id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await
        .map_err(|e| console.error(e))?;
    Ok(console.see_other("/console/account?done=account_done_revoked"))
}

/// The account's routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_account, account);
    r.add(__path_password, password);
    r.add(__path_create_token, create_token);
    r.add(__path_revoke_token, revoke_token);
}
