//! The organizer's own account in the console, `/console/account`: change the password (the
//! current one asked again; the account's other console sessions end), two-factor sign-in
//! (turned on by scanning a QR code and typing a code back, recovery codes shown once; off
//! with the password again, unless the admins require it — see [`super::two_factor`]), and
//! the API tokens — made here with a name (the token is shown once, on the page that made
//! it), listed, revoked.

use actix_web::http::StatusCode;
use actix_web::web;
use minijinja::context;

use super::{sessions, store, two_factor};
use crate::audit;
use crate::domain::{dates, FieldError, Language};
use crate::error::AppError;
use crate::web::console::{form_errors, Console, ConsoleReply, Posted};
use crate::web::words::{word, Section};

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleTeam, key)
}

/// What the account page shows once, on the answer to the form that made it.
#[derive(Default)]
struct Shown {
    /// A token just made: its name and the token.
    token: Option<(String, String)>,
    /// Recovery codes just made.
    recovery: Vec<String>,
}

impl Shown {
    fn codes(recovery: Vec<String>) -> Shown {
        Shown {
            recovery,
            ..Shown::default()
        }
    }
}

/// The account page with what was just made.
async fn showing(console: &Console, shown: Shown) -> ConsoleReply {
    account_page(console, StatusCode::OK, &[], shown).await
}

/// The account page again, each refused field's error beside it (422).
async fn refused(console: &Console, errors: &[FieldError]) -> ConsoleReply {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    account_page(console, status, errors, Shown::default()).await
}

async fn account_page(
    console: &Console,
    status: StatusCode,
    errors: &[FieldError],
    shown: Shown,
) -> ConsoleReply {
    let lang = console.lang;
    let id = console.organizer().id;
    let (tokens, me, codes_left, required) = console
        .run(move |c| {
            let me = store::find_organizer(c, id)?
                .ok_or_else(|| AppError::not_found("no such organizer"))?;
            Ok((
                store::tokens_of(c, id)?,
                me,
                store::recovery_codes_left(c, id)?,
                store::two_factor_required(c)?,
            ))
        })
        .await?;
    let two_factor = match (&me.totp_secret, me.totp_enabled_at) {
        (_, Some(since)) => context! {
            state => "on",
            since => dates::day(lang, since.date()),
            codes_left => codes_left,
            required => required,
        },
        (Some(secret), None) => {
            let uri = two_factor::otpauth_uri(secret, &me.email);
            let grouped: Vec<String> = secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            context! {
                state => "pending",
                qr => crate::badges::qr_svg(&uri),
                secret => grouped.join(" "),
                uri => uri,
            }
        }
        (None, None) => context! { state => "off", required => required },
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
            two_factor_form => action("/console/account/two-factor".into()),
            confirm_form => action("/console/account/two-factor/confirm".into()),
            off_form => action("/console/account/two-factor/off".into()),
            recovery_form => action("/console/account/two-factor/recovery".into()),
            two_factor => two_factor,
            needs_two_factor => console.who.needs_two_factor,
            recovery => shown.recovery,
            tokens => tokens.iter().map(|t| context! {
                name => &t.name,
                created => dates::day(lang, t.created_at.date()),
                revoked => t.revoked_at.is_some(),
                revoke => action(format!("/console/account/tokens/{}/revoke", t.id)),
            }).collect::<Vec<_>>(),
            created => shown.token.map(|(name, token)| context! { name => name, token => token }),
            errors => form_errors(lang, errors),
            notice => console.done(Section::ConsoleTeam),
        },
    )
}

#[utoipa::path(get, path = "/console/account", tag = "console",
    responses((status = 200, description = "the organizer's own account: password, API tokens", content_type = "text/html"), (status = 303)))]
pub async fn account(console: Console) -> ConsoleReply {
    showing(&console, Shown::default()).await
}

#[utoipa::path(post, path = "/console/account/password", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "current, password, again, csrf"),
    responses((status = 303, description = "changed: the account's other console sessions are ended"), (status = 403), (status = 422, description = "the current password is wrong, or the new one is refused: said on the form")))]
pub async fn password(posted: Posted) -> ConsoleReply {
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
        return refused(&console, &errors).await;
    }
    let hash = web::block(move || super::hash_password(&new))
        .await
        .map_err(|e| console.error(e.into()))?
        .map_err(|e| console.error(e.into()))?;
    console
        .write(move |c| {
            store::set_password_hash(c, id, &hash)?;
            sessions::end_others(c, id, Some(session))?;
            audit_own(c, id, "change_password")?;
            Ok(())
        })
        .await?;
    Ok(console.see_other("/console/account?done=account_done_password"))
}

#[utoipa::path(post, path = "/console/account/tokens", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "name, csrf"),
    responses((status = 200, description = "made: the token shown once, on this page"), (status = 403), (status = 422)))]
pub async fn create_token(posted: Posted) -> ConsoleReply {
    let Posted { console, form } = posted;
    let mut errors = Vec::new();
    let name = crate::domain::text::short_text(
        "name",
        &form.text("name").unwrap_or_default(),
        100,
        &mut errors,
    );
    if !errors.is_empty() {
        return refused(&console, &errors).await;
    }
    let id = console.organizer().id;
    let token = crate::crypto::new_token(super::ORGANIZER_PREFIX);
    let hash = crate::crypto::token_hash(&token);
    let token_name = name.clone();
    console
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
        .await?;
    let made = Shown {
        token: Some((name, token)),
        ..Shown::default()
    };
    showing(&console, made).await
}

#[utoipa::path(post, path = "/console/account/tokens/{id}/revoke", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "revoked"), (status = 403), (status = 404, description = "not one of this organizer's tokens")))]
pub async fn revoke_token(posted: Posted, token: web::Path<i64>) -> ConsoleReply {
    let Posted { console, .. } = posted;
    let (id, token_id) = (console.organizer().id, token.into_inner());
    console
        .write(move |c| {
            match store::token_owner(c, token_id)? {
                Some((owner, None)) if owner == id => {}
                _ => return Err(AppError::not_found("no such token")),
            }
            super::revoke_api_token(c, id, token_id)
        })
        .await?;
    Ok(console.see_other("/console/account?done=account_done_revoked"))
}

#[utoipa::path(post, path = "/console/account/two-factor", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "a new secret: the account page shows its QR code and waits for a code"), (status = 403), (status = 409, description = "two-factor sign-in is already on")))]
pub async fn start_two_factor(posted: Posted) -> ConsoleReply {
    let Posted { console, .. } = posted;
    let id = console.organizer().id;
    let secret = two_factor::new_secret();
    console
        .write(move |c| {
            let me = store::find_organizer(c, id)?;
            if me.is_some_and(|m| m.totp_enabled_at.is_some()) {
                return Err(AppError::Conflict(
                    "two-factor sign-in is already on".into(),
                ));
            }
            Ok(store::set_totp_secret(c, id, Some(&secret))?)
        })
        .await?;
    Ok(console.see_other("/console/account#two-factor"))
}

/// Recovery codes for `id`, stored as hashes; the codes, to be shown once.
fn fresh_recovery_codes(c: &mut crate::db::Conn, id: i64) -> crate::error::AppResult<Vec<String>> {
    let codes = two_factor::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| two_factor::recovery_hash(c)).collect();
    store::replace_recovery_codes(c, id, &hashes)?;
    Ok(codes)
}

#[utoipa::path(post, path = "/console/account/two-factor/confirm", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "code (from the authenticator app), csrf"),
    responses((status = 200, description = "on: the recovery codes, shown this once"), (status = 403), (status = 409, description = "no secret waits to be confirmed"), (status = 422, description = "not the code of this secret now: said beside the field")))]
pub async fn confirm_two_factor(posted: Posted) -> ConsoleReply {
    let Posted { console, form } = posted;
    let lang = console.lang;
    let id = console.organizer().id;
    let typed = form.text("code").unwrap_or_default();
    let now = console.state.clock.now().naive_utc();
    let codes = console
        .write(move |c| {
            let me = store::find_organizer(c, id)?;
            let Some(secret) = me
                .filter(|m| m.totp_enabled_at.is_none())
                .and_then(|m| m.totp_secret)
            else {
                return Err(AppError::Conflict(
                    "turn two-factor sign-in on first".into(),
                ));
            };
            let unix = now.and_utc().timestamp();
            let Some(step) = two_factor::matching_step(&secret, &typed, unix, None) else {
                return Ok(None);
            };
            store::enable_totp(c, id, now, step)?;
            let codes = fresh_recovery_codes(c, id)?;
            audit_own(c, id, "enable_two_factor")?;
            Ok(Some(codes))
        })
        .await?;
    let Some(recovery) = codes else {
        let errors = [FieldError::new("code", w(lang, "account_2fa_wrong_code"))];
        return refused(&console, &errors).await;
    };
    showing(&console, Shown::codes(recovery)).await
}

#[utoipa::path(post, path = "/console/account/two-factor/recovery", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 200, description = "new recovery codes, shown this once; the earlier ones no longer work"), (status = 403), (status = 409, description = "two-factor sign-in is off")))]
pub async fn new_recovery_codes(posted: Posted) -> ConsoleReply {
    let Posted { console, .. } = posted;
    let id = console.organizer().id;
    let recovery = console
        .write(move |c| {
            let on = store::find_organizer(c, id)?.is_some_and(|m| m.two_factor().is_some());
            if !on {
                return Err(AppError::Conflict("two-factor sign-in is off".into()));
            }
            let codes = fresh_recovery_codes(c, id)?;
            audit_own(c, id, "renew_recovery_codes")?;
            Ok(codes)
        })
        .await?;
    showing(&console, Shown::codes(recovery)).await
}

#[utoipa::path(post, path = "/console/account/two-factor/off", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "current (the password), csrf"),
    responses((status = 303, description = "off: the secret and the recovery codes are gone"), (status = 403),
        (status = 422, description = "the password is wrong, or the admins require two-factor: said on the form")))]
pub async fn two_factor_off(posted: Posted) -> ConsoleReply {
    let Posted { console, form } = posted;
    let lang = console.lang;
    let id = console.organizer().id;
    let current = form.text("current").unwrap_or_default();
    let (stored, required) = console
        .run(move |c| {
            let stored = store::find_organizer(c, id)?.map(|o| o.password_hash);
            Ok((stored, store::two_factor_required(c)?))
        })
        .await?;
    if required {
        let errors = [FieldError::new(
            "off_current",
            w(lang, "account_2fa_required"),
        )];
        return refused(&console, &errors).await;
    }
    let right = web::block(move || super::verify_password(&current, stored.as_deref()))
        .await
        .map_err(|e| console.error(e.into()))?;
    if !right {
        let errors = [FieldError::new(
            "off_current",
            w(lang, "account_wrong_current"),
        )];
        return refused(&console, &errors).await;
    }
    console
        .write(move |c| {
            store::set_totp_secret(c, id, None)?;
            audit_own(c, id, "disable_two_factor")?;
            Ok(())
        })
        .await?;
    Ok(console.see_other("/console/account?done=account_2fa_done_off#two-factor"))
}

/// The account's routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_start_two_factor, start_two_factor);
    r.add(__path_confirm_two_factor, confirm_two_factor);
    r.add(__path_new_recovery_codes, new_recovery_codes);
    r.add(__path_two_factor_off, two_factor_off);
    r.add(__path_account, account);
    r.add(__path_password, password);
    r.add(__path_create_token, create_token);
    r.add(__path_revoke_token, revoke_token);
}

/// An organizer's change of their own account, in the audit log.
fn audit_own(c: &mut crate::db::Conn, id: i64, action: &str) -> crate::error::AppResult<()> {
    super::audit_organizer(c, id, id, action)
}
