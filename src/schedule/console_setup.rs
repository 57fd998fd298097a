//! What the programme is built from, in the console: `/console/events/{slug}/programme-setup`
//! lists the fair's rooms (name and hall in each language, seats), tracks (name, colour) and
//! speakers (name, email, organization, biography), each with its own form, and a form to add
//! one. The forms send the API's members and go through the same [`Child`] rules, audit and
//! transaction as `…/rooms`, `…/tracks` and `…/speakers`.

use actix_web::http::StatusCode;
use actix_web::web;
use minijinja::context;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::rooms::Rooms;
use super::speakers::Speakers;
use super::store;
use super::tracks::Tracks;
use crate::domain::text::Check;
use crate::domain::{Language, Role, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::children::{self, Child};
use crate::events::console::nav;
use crate::events::service::{self, Change, Record};
use crate::events::store as events;
use crate::web::console::{form_errors, per_language, Console, ConsoleReply, FormFields, Posted};
use crate::web::words::{word, Section};
use crate::web::SlugPath;

/// How a member is read from the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    Text,
    OptionalText,
    Translatable,
    OptionalTranslatable,
    Number,
}

/// The members of each kind, as the API names them.
const ROOM: &[(&str, Member)] = &[
    ("name", Member::Translatable),
    ("hall", Member::OptionalTranslatable),
    ("capacity", Member::Number),
];
const TRACK: &[(&str, Member)] = &[("name", Member::Translatable), ("color", Member::Text)];
const SPEAKER: &[(&str, Member)] = &[
    ("name", Member::Text),
    ("email", Member::OptionalText),
    ("organization", Member::OptionalText),
    ("bio", Member::OptionalText),
];

/// The form as the API's JSON body: for a change (`patch`), a blank optional member is `null`
/// (cleared); for a new one it is left out.
fn body(form: &FormFields, members: &[(&str, Member)], patch: bool) -> Value {
    let mut out = Map::new();
    for (name, member) in members {
        let value = match member {
            Member::Text => Some(json!(form.text(name).unwrap_or_default())),
            Member::OptionalText => form.text(name).map(Value::from),
            Member::Translatable => Some(json!(form
                .translatable(name)
                .unwrap_or(Translatable::Same(String::new())))),
            Member::OptionalTranslatable => form.translatable(name).map(|t| json!(t)),
            Member::Number => form
                .text(name)
                .map(|n| n.parse::<i64>().map(Value::from).unwrap_or(Value::from(n))),
        };
        match (value, patch) {
            (Some(v), _) => {
                out.insert(name.to_string(), v);
            }
            (None, true) => {
                out.insert(name.to_string(), Value::Null);
            }
            (None, false) => {}
        }
    }
    Value::Object(out)
}

/// The JSON body as the API's type; a member of the wrong type is a field error.
fn read<T: DeserializeOwned>(body: Value) -> AppResult<T> {
    serde_json::from_value(body).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_string();
        AppError::Validation(vec![crate::domain::FieldError::new(field, message)])
    })
}

/// What a form of this page does to one room, track or speaker.
#[derive(Clone, Copy)]
enum Write {
    /// A new one, or a change to `id`.
    Save(Option<i64>),
    Delete(i64),
}

/// Does `write` to a `C` of the fair `slug` from `form`, through the same rules, transaction and
/// audit entry as the API.
async fn write<C: Child>(
    console: &Console,
    slug: String,
    write: Write,
    form: &FormFields,
    members: &[(&str, Member)],
) -> AppResult<()> {
    let (action, body) = match write {
        Write::Save(None) => ("create", body(form, members, false)),
        Write::Save(Some(_)) => ("update", body(form, members, true)),
        Write::Delete(_) => ("delete", Value::Null),
    };
    let change = Change::new(action, C::NOUN);
    let expected = form.text("version");
    service::change(
        &console.state.db,
        console.organizer(),
        slug,
        change,
        move |c, event| {
            let mut check = Check::default();
            let (form, row) = match write {
                Write::Delete(id) => {
                    children::current::<C>(c, event, id, expected.as_deref())?;
                    C::delete(c, id)?;
                    return Ok(((), Record::of(id)));
                }
                Write::Save(None) => (C::new_form(read(body)?, &mut check), None),
                Write::Save(Some(id)) => {
                    let row = children::current::<C>(c, event, id, expected.as_deref())?;
                    (C::patch_form(&row, read(body)?, &mut check), Some(id))
                }
            };
            check.done().map_err(AppError::Validation)?;
            let form = form.ok_or_else(|| AppError::internal("a checked form is missing"))?;
            let row = match row {
                None => C::insert(c, event, &form)?,
                Some(id) => C::update(c, event, id, &form)?,
            };
            Ok(((), Record::of(C::id(&row))))
        },
    )
    .await
}

/// A form of this page, for the kind named in its path: done, then back to the page (or the
/// page again, saying what refused it).
async fn apply(posted: Posted, slug: String, kind: &str, what: Write) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let done = match kind {
        "rooms" => write::<Rooms>(&console, slug.clone(), what, &form, ROOM).await,
        "tracks" => write::<Tracks>(&console, slug.clone(), what, &form, TRACK).await,
        "speakers" => write::<Speakers>(&console, slug.clone(), what, &form, SPEAKER).await,
        _ => return Err(console.error(AppError::not_found("no such kind"))),
    };
    let lang = console.lang;
    let problem =
        |details: Vec<String>| Some((word(lang, Section::Console, "form_has_errors"), details));
    let (status, details) = match done {
        Ok(()) => return Ok(console.see_other(&format!("/console/events/{slug}/programme-setup"))),
        Err(AppError::Validation(errors)) => {
            let details = form_errors(lang, &errors)
                .into_iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, details)
        }
        Err(AppError::ScheduleConflict { detail, conflicts }) => {
            let mut details = vec![detail];
            details.extend(conflicts.into_iter().map(|c| c.message));
            (StatusCode::CONFLICT, details)
        }
        Err(AppError::Conflict(detail)) => (StatusCode::CONFLICT, vec![detail]),
        Err(AppError::PreconditionFailed(_)) => {
            let stale = word(lang, Section::Console, "error_412_text");
            (StatusCode::PRECONDITION_FAILED, vec![stale])
        }
        Err(other) => return Err(console.error(other)),
    };
    page(&console, slug, status, problem(details)).await
}

/// The page, with `problem` (what refused the last form) on top.
async fn page(
    console: &Console,
    slug: String,
    status: StatusCode,
    problem: Option<(String, Vec<String>)>,
) -> ConsoleReply {
    let (event, rooms, tracks, speakers, versions) = console
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let rooms = store::rooms_of_event(c, event.id)?;
            let tracks = store::tracks_of_event(c, event.id)?;
            let speakers = store::speakers_of_event(c, event.id)?;
            // Each form carries the version it was opened on (a stale save is refused).
            let mut versions = Vec::new();
            for r in &rooms {
                versions.push(children::version_of::<Rooms>(c, r)?);
            }
            for t in &tracks {
                versions.push(children::version_of::<Tracks>(c, t)?);
            }
            for s in &speakers {
                versions.push(children::version_of::<Speakers>(c, s)?);
            }
            Ok((event, rooms, tracks, speakers, versions))
        })
        .await?;
    let mut versions = versions.into_iter();
    let lang = console.lang;
    let base = format!("/console/events/{}/programme-setup", event.slug);
    let action = |path: String| context! { href => &path, csrf => console.csrf(&path) };
    let langs: Vec<_> = Language::ALL
        .iter()
        .map(|l| context! { code => l.code(), label => word(lang, Section::Console, &format!("lang_{}", l.code())) })
        .collect();
    let (notice, details) = problem.unwrap_or_default();
    console.page(
        status,
        "console/setup.html",
        &[Section::ConsoleSchedule],
        context! {
            event => nav(&event, lang),
            tab => "schedule",
            langs_of_texts => langs,
            can_edit => console.can(Role::Editor),
            notice => (!notice.is_empty()).then_some(notice),
            details => details,
            add_room => action(format!("{base}/rooms")),
            add_track => action(format!("{base}/tracks")),
            add_speaker => action(format!("{base}/speakers")),
            rooms => rooms.iter().map(|r| context! {
                name => per_language(&Translatable::from_db(&r.name), &Language::ALL),
                hall => per_language(&r.hall.as_deref().map(Translatable::from_db).unwrap_or(Translatable::Same(String::new())), &Language::ALL),
                capacity => r.capacity,
                version => versions.next(),
                save => action(format!("{base}/rooms/{}", r.id)),
                delete => action(format!("{base}/rooms/{}/delete", r.id)),
            }).collect::<Vec<_>>(),
            tracks => tracks.iter().map(|t| context! {
                name => per_language(&Translatable::from_db(&t.name), &Language::ALL),
                color => &t.color,
                version => versions.next(),
                save => action(format!("{base}/tracks/{}", t.id)),
                delete => action(format!("{base}/tracks/{}/delete", t.id)),
            }).collect::<Vec<_>>(),
            speakers => speakers.iter().map(|s| context! {
                name => &s.name, email => &s.email, organization => &s.organization, bio => &s.bio,
                version => versions.next(),
                save => action(format!("{base}/speakers/{}", s.id)),
                delete => action(format!("{base}/speakers/{}/delete", s.id)),
            }).collect::<Vec<_>>(),
            back => format!("/console/events/{}/schedule?lang={}", event.slug, lang.code()),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/programme-setup", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "the fair's rooms, tracks and speakers, each with its form", content_type = "text/html"), (status = 303), (status = 404)))]
pub async fn setup(console: Console, slug: SlugPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    page(&console, slug.into_inner(), StatusCode::OK, None).await
}

#[utoipa::path(post, path = "/console/events/{slug}/programme-setup/{kind}", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path, description = "rooms, tracks or speakers")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the API's members (name[ar]… for translatable texts), csrf"),
    responses((status = 303, description = "added"), (status = 403), (status = 404), (status = 422, content_type = "text/html")))]
pub async fn add(posted: Posted, path: web::Path<(String, String)>) -> ConsoleReply {
    let (slug, kind) = path.into_inner();
    apply(posted, slug, &kind, Write::Save(None)).await
}

#[utoipa::path(post, path = "/console/events/{slug}/programme-setup/{kind}/{id}", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path, description = "rooms, tracks or speakers"), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the API's members, csrf"),
    responses((status = 303, description = "saved"), (status = 403), (status = 404), (status = 409, content_type = "text/html"), (status = 422, content_type = "text/html")))]
pub async fn change(posted: Posted, path: web::Path<(String, String, i64)>) -> ConsoleReply {
    let (slug, kind, id) = path.into_inner();
    apply(posted, slug, &kind, Write::Save(Some(id))).await
}

#[utoipa::path(post, path = "/console/events/{slug}/programme-setup/{kind}/{id}/delete", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path, description = "rooms, tracks or speakers"), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "deleted"), (status = 403), (status = 404), (status = 409, description = "still used: the page again, saying by what", content_type = "text/html")))]
pub async fn remove(posted: Posted, path: web::Path<(String, String, i64)>) -> ConsoleReply {
    let (slug, kind, id) = path.into_inner();
    apply(posted, slug, &kind, Write::Delete(id)).await
}

/// The setup page and its forms.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_setup, setup)
        .add(__path_add, add)
        .add(__path_change, change)
        .add(__path_remove, remove);
}
