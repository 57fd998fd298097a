//! The team in the console, for admins: `/console/team` lists the organizers (active, invited,
//! deactivated) and invites one by email — the organizer exists at once with no password, and
//! the emailed link (single use, 72 hours) lets them choose one and signs them in; an admin
//! changes a role, deactivates an organizer (their console sessions and API tokens end at once,
//! and they cannot sign in) or reactivates one, turns off the two-factor sign-in of one who
//! lost their phone and recovery codes, and can require two-factor of everyone. An admin
//! cannot change or deactivate themself, so a fair is never left without one.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::TimeDelta;
use minijinja::context;

use super::{sessions, store};
use crate::audit;
use crate::domain::{dates, EmailAddress, FieldError, Language, Role};
use crate::email::{self, EmailKind, NewEmail};
use crate::error::{AppError, AppResult};
use crate::web::console::{form_errors, Console, ConsoleError, ConsoleReply, Posted};
use crate::web::pages::form_action;
use crate::web::words::{word, Section};

/// How long an invitation's link works.
pub const INVITE_TTL: TimeDelta = TimeDelta::hours(72);
/// The prefix of invitation tokens.
const INVITE_PREFIX: &str = "sli_";

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleTeam, key)
}

const ROLES: [Role; 4] = [Role::Admin, Role::Editor, Role::Viewer, Role::Checkin];

fn team_page(
    console: &Console,
    status: StatusCode,
    sent: &crate::web::console::FormFields,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = console.lang;
    let rows = {
        let mut pooled = console
            .state
            .db
            .get()
            .map_err(|e| console.error(e.into()))?;
        store::organizers(&mut pooled.conn()).map_err(|e| console.error(e.into()))?
    };
    let required = {
        let mut pooled = console
            .state
            .db
            .get()
            .map_err(|e| console.error(e.into()))?;
        store::two_factor_required(&mut pooled.conn()).map_err(|e| console.error(e.into()))?
    };
    let me = console.organizer().id;
    let action = |path: String| context! { url => format!("{path}?lang={}", lang.code()), csrf => console.csrf(&path) };
    let people: Vec<_> = rows
        .iter()
        .map(|o| {
            let state = if o.deactivated_at.is_some() {
                "deactivated"
            } else if o.password_hash.is_empty() {
                "invited"
            } else {
                "active"
            };
            let base = format!("/console/team/{}", o.id);
            context! {
                email => &o.email, role => &o.role,
                role_label => word(lang, Section::Console, &format!("role_{}", o.role)),
                state => state, state_label => w(lang, &format!("team_state_{state}")),
                since => dates::day(lang, o.created_at.date()),
                me => o.id == me,
                role_form => action(format!("{base}/role")),
                deactivate => action(format!("{base}/deactivate")),
                reactivate => action(format!("{base}/reactivate")),
                two_factor => o.two_factor().is_some(),
                reset_two_factor => action(format!("{base}/two-factor/reset")),
            }
        })
        .collect();
    let value = |name: &str| sent.text(name).unwrap_or_default();
    console.page(
        status,
        "console/team.html",
        &[Section::ConsoleTeam],
        context! {
            people => people,
            roles => ROLES.iter().map(|r| context! { code => r.as_str(), label => word(lang, Section::Console, &format!("role_{r}")) }).collect::<Vec<_>>(),
            languages => Language::ALL.iter().map(|l| context! { code => l.code(), label => l.native_name() }).collect::<Vec<_>>(),
            invite => action("/console/team/invite".into()),
            policy => action("/console/team/two-factor".into()),
            two_factor_required => required,
            values => context! { email => value("email"), role => sent.text("role").unwrap_or_else(|| "editor".into()), language => sent.text("language").unwrap_or_else(|| lang.code().into()) },
            errors => form_errors(lang, errors),
            has_errors => errors.iter().any(|e| e.field != "required"),
            notice => console.done(Section::ConsoleTeam),
        },
    )
}

#[utoipa::path(get, path = "/console/team", tag = "console",
    responses((status = 200, description = "the organizers and the invitation form (admins)", content_type = "text/html"), (status = 303), (status = 403)))]
pub async fn team(console: Console) -> ConsoleReply {
    console.require(Role::Admin)?;
    team_page(&console, StatusCode::OK, &Default::default(), &[])
}

#[utoipa::path(post, path = "/console/team/invite", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "email, role, language, csrf"),
    responses((status = 303, description = "invited: the organizer is emailed a link to choose a password"), (status = 403), (status = 409, description = "already an organizer: said on the form"), (status = 422)))]
pub async fn invite(posted: Posted) -> ConsoleReply {
    let Posted { console, form } = posted;
    console.require(Role::Admin)?;
    let lang = console.lang;
    let email = EmailAddress::parse(&form.text("email").unwrap_or_default());
    let role = form.text("role").and_then(|r| r.parse::<Role>().ok());
    let language = form
        .text("language")
        .and_then(|l| l.parse::<Language>().ok())
        .unwrap_or(lang);
    let (email, role) = match (email, role) {
        (Ok(e), Some(r)) => (e, r),
        (e, _) => {
            let error = match e {
                Err(_) => FieldError::rule("email", crate::domain::text::Rule::Email),
                Ok(_) => FieldError::rule("role", crate::domain::text::Rule::Choice),
            };
            return team_page(&console, StatusCode::UNPROCESSABLE_ENTITY, &form, &[error]);
        }
    };
    let settings = console.state.settings.clone();
    let (who, inviter) = (console.organizer().id, console.who.email.clone());
    let now = console.state.clock.now().naive_utc();
    let address = email.clone();
    let done = console
        .state
        .db
        .write(move |c| {
            let id = super::create_organizer(c, &address, "", role)?;
            store::set_organizer_language(c, id, language.code())?;
            let token = crate::crypto::new_token(INVITE_PREFIX);
            store::insert_invite(c, id, &crate::crypto::token_hash(&token), now + INVITE_TTL, now)?;
            let url = format!("{}/console/invite/{token}?lang={}", settings.base_url(), language.code());
            let mail = NewEmail {
                event_id: None,
                registration_id: None,
                kind: EmailKind::OrganizerInvite,
                to: address.as_str(),
                language,
                context: serde_json::json!({
                    "name": address.as_str(), "invite_url": url, "expires_hours": INVITE_TTL.num_hours(),
                    "role": word(language, Section::Console, &format!("role_{role}")), "inviter": inviter,
                }),
                attachments: vec![],
            };
            email::enqueue(c, mail, &settings.message_domain())?;
            audit::record(c, Some(who), None, "invite", "organizer", Some(id), serde_json::json!({"role": role}))?;
            Ok(())
        })
        .await;
    match done {
        Ok(()) => Ok(console.see_other("/console/team?done=team_done_invited")),
        Err(AppError::Conflict(_)) => {
            let taken = FieldError::new("email", w(lang, "team_taken"));
            team_page(&console, StatusCode::CONFLICT, &form, &[taken])
        }
        Err(e) => Err(console.error(e)),
    }
}

/// An admin's change of another organizer, audited; back to the team.
async fn change(
    posted: Posted,
    id: i64,
    action: &'static str,
    done: &'static str,
    write: impl FnOnce(
            &mut crate::db::Conn,
            i64,
            chrono::NaiveDateTime,
            &crate::web::console::FormFields,
        ) -> AppResult<()>
        + Send
        + 'static,
) -> ConsoleReply {
    let Posted { console, form } = posted;
    console.require(Role::Admin)?;
    if id == console.organizer().id {
        return Err(console.error(AppError::Conflict(w(console.lang, "team_not_yourself"))));
    }
    let who = console.organizer().id;
    let now = console.state.clock.now().naive_utc();
    console
        .write(move |c| {
            store::find_organizer(c, id)?
                .ok_or_else(|| AppError::not_found("no such organizer"))?;
            write(c, id, now, &form)?;
            super::audit_organizer(c, who, id, action)
        })
        .await?;
    Ok(console.see_other(&format!("/console/team?done={done}")))
}

#[utoipa::path(post, path = "/console/team/{id}/role", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "role, csrf"),
    responses((status = 303, description = "changed: back to the team"), (status = 403), (status = 404), (status = 409, description = "your own role")))]
pub async fn set_role(posted: Posted, id: web::Path<i64>) -> ConsoleReply {
    change(
        posted,
        id.into_inner(),
        "set_role",
        "team_done_role",
        |c, id, _, form| {
            let role = form
                .text("role")
                .and_then(|r| r.parse::<Role>().ok())
                .ok_or_else(|| AppError::validation("role", "is not a role"))?;
            Ok(store::set_role(c, id, role)?)
        },
    )
    .await
}

#[utoipa::path(post, path = "/console/team/{id}/deactivate", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "deactivated: their sessions and API tokens ended at once"), (status = 403), (status = 404), (status = 409, description = "yourself")))]
pub async fn deactivate(posted: Posted, id: web::Path<i64>) -> ConsoleReply {
    change(
        posted,
        id.into_inner(),
        "deactivate",
        "team_done_deactivated",
        |c, id, now, _| {
            store::set_deactivated(c, id, Some(now))?;
            sessions::end_others(c, id, None)?;
            store::revoke_tokens_of(c, id, now)?;
            Ok(())
        },
    )
    .await
}

#[utoipa::path(post, path = "/console/team/{id}/reactivate", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "reactivated: they may sign in again"), (status = 403), (status = 404), (status = 409, description = "yourself")))]
pub async fn reactivate(posted: Posted, id: web::Path<i64>) -> ConsoleReply {
    change(
        posted,
        id.into_inner(),
        "reactivate",
        "team_done_reactivated",
        |c, id, _, _| Ok(store::set_deactivated(c, id, None)?),
    )
    .await
}

#[utoipa::path(post, path = "/console/team/{id}/two-factor/reset", tag = "console", params(("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "their two-factor sign-in is off (a lost phone): they sign in with the password, and turn it on again"), (status = 403), (status = 404), (status = 409, description = "yourself")))]
pub async fn reset_two_factor(posted: Posted, id: web::Path<i64>) -> ConsoleReply {
    change(
        posted,
        id.into_inner(),
        "reset_two_factor",
        "team_done_two_factor_reset",
        |c, id, _, _| Ok(store::set_totp_secret(c, id, None)?),
    )
    .await
}

#[utoipa::path(post, path = "/console/team/two-factor", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "required (`yes` or `no`), csrf"),
    responses((status = 303, description = "set: when required, an organizer without two-factor reaches only their account page until they turn it on"), (status = 403), (status = 422)))]
pub async fn require_two_factor(posted: Posted) -> ConsoleReply {
    let Posted { console, form } = posted;
    console.require(Role::Admin)?;
    let lang = console.lang;
    let required = match form.text("required").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            let error = FieldError::rule("required", crate::domain::text::Rule::Choice);
            return team_page(&console, StatusCode::UNPROCESSABLE_ENTITY, &form, &[error]);
        }
    };
    let who = console.organizer().id;
    let now = console.state.clock.now().naive_utc();
    let done = console
        .state
        .db
        .write(move |c| {
            // Required of everyone by an admin without it would lock that admin out of the
            // team page at once: they turn it on for themself first.
            let mine = store::find_organizer(c, who)?.is_some_and(|o| o.two_factor().is_some());
            if required && !mine {
                return Err(AppError::Validation(vec![FieldError::new(
                    "required",
                    w(lang, "team_policy_yourself_first"),
                )]));
            }
            store::set_two_factor_required(c, required, now)?;
            audit::record(
                c,
                Some(who),
                None,
                "require_two_factor",
                "team_policy",
                None,
                serde_json::json!({"required": required}),
            )?;
            Ok(())
        })
        .await;
    match done {
        Ok(()) => {}
        Err(AppError::Validation(errors)) => {
            return team_page(&console, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors);
        }
        Err(e) => return Err(console.error(e)),
    }
    let done = if required {
        "team_done_two_factor_required"
    } else {
        "team_done_two_factor_optional"
    };
    Ok(console.see_other(&format!("/console/team?done={done}")))
}

/// The invitation of `token`, usable now: (invite id, organizer id).
fn usable_invite(
    c: &mut crate::db::Conn,
    token: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<(i64, i64)> {
    let found = store::find_invite(c, &crate::crypto::token_hash(token))?
        .ok_or_else(|| AppError::not_found("unknown invitation"))?;
    if found.used_at.is_some() {
        return Err(AppError::Conflict(
            "this invitation was already used".into(),
        ));
    }
    if now > found.expires_at {
        return Err(AppError::Gone(
            "this invitation has expired: ask an admin for another".into(),
        ));
    }
    Ok((found.id, found.organizer_id))
}

fn invite_page(
    req: &actix_web::HttpRequest,
    state: &crate::web::State,
    token: &str,
    status: StatusCode,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = crate::web::console::console_language(req, None);
    let action = format!("/console/invite/{token}");
    let body = crate::web::pages::render(
        "console/invite.html",
        lang,
        crate::web::words::words(lang, &[Section::Console, Section::ConsoleTeam]),
        context! {
            errors => form_errors(lang, errors),
            langs => crate::web::pages::switcher(req, lang),
            ..form_action(&state.settings, &action, lang),
        },
    )
    .map_err(|e| ConsoleError::bare(e, lang))?;
    Ok(crate::web::pages::html(status, lang, body))
}

#[utoipa::path(get, path = "/console/invite/{token}", tag = "console", params(("token" = String, Path)),
    responses((status = 200, description = "choose a password (an invited organizer)", content_type = "text/html"), (status = 404), (status = 409), (status = 410)))]
pub async fn invitation(
    req: actix_web::HttpRequest,
    state: crate::web::State,
    token: web::Path<String>,
) -> ConsoleReply {
    let lang = crate::web::console::console_language(&req, None);
    let now = state.clock.now().naive_utc();
    let t = token.clone();
    state
        .db
        .run(move |c| usable_invite(c, &t, now))
        .await
        .map_err(|e| ConsoleError::bare(e, lang))?;
    invite_page(&req, &state, &token, StatusCode::OK, &[])
}

#[utoipa::path(post, path = "/console/invite/{token}", tag = "console", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "password, again, csrf"),
    responses((status = 303, description = "the password chosen: signed in, on to the console"), (status = 403), (status = 404), (status = 409), (status = 410), (status = 422)))]
pub async fn accept(
    req: actix_web::HttpRequest,
    state: crate::web::State,
    token: web::Path<String>,
    form: web::Form<crate::web::console::FormFields>,
) -> ConsoleReply {
    let lang = crate::web::console::console_language(&req, None);
    let action = format!("/console/invite/{}", token.as_str());
    if !crate::web::csrf::check(&req, &state.settings, &action, &form.csrf()) {
        return Err(ConsoleError::bare(
            AppError::Forbidden("this form could not be verified".into()),
            lang,
        ));
    }
    let password = form.text("password").unwrap_or_default();
    let mut errors = Vec::new();
    if let Err(m) = super::check_password(&password) {
        errors.push(FieldError::new("password", m));
    } else if form.text("again").as_deref() != Some(password.as_str()) {
        errors.push(FieldError::new("again", w(lang, "team_mismatch")));
    }
    if !errors.is_empty() {
        return invite_page(
            &req,
            &state,
            &token,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
        );
    }
    let hash = web::block(move || super::hash_password(&password))
        .await
        .map_err(|e| ConsoleError::bare(e.into(), lang))?
        .map_err(|e| ConsoleError::bare(e.into(), lang))?;
    let now = state.clock.now().naive_utc();
    let t = token.into_inner();
    let session = state
        .db
        .write(move |c| {
            let (invite, organizer) = usable_invite(c, &t, now)?;
            store::mark_invite_used(c, invite, now)?;
            store::set_password_hash(c, organizer, &hash)?;
            audit::record(
                c,
                Some(organizer),
                None,
                "accept_invite",
                "organizer",
                Some(organizer),
                serde_json::json!({}),
            )?;
            sessions::start(c, organizer, now)
        })
        .await
        .map_err(|e| ConsoleError::bare(e, lang))?;
    let secure = state.settings.base_url().starts_with("https://");
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::SET_COOKIE,
            crate::web::console::session_cookie(
                Some(&session),
                secure,
                sessions::LIFETIME.num_seconds(),
            ),
        ))
        .insert_header((header::LOCATION, format!("/console?lang={}", lang.code())))
        .finish())
}

/// The team's routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_team, team);
    r.add(__path_invite, invite);
    r.add(__path_set_role, set_role);
    r.add(__path_deactivate, deactivate);
    r.add(__path_reactivate, reactivate);
    r.add(__path_reset_two_factor, reset_two_factor);
    r.add(__path_require_two_factor, require_two_factor);
    r.add(__path_invitation, invitation);
    r.add(__path_accept, accept);
}
