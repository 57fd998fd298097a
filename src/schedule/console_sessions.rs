//! A session's own page in the console, `/console/events/{slug}/sessions/{id}` (and `…/new`):
//! every member of the API's session as a form — title, abstract, kind, language, track,
//! speakers, and room, start and end as the fair's local times — so that everything the
//! editor's drag and drop does also works without JavaScript. A save that would make a hard
//! conflict shows the form again with the conflict named; a save over someone else's newer one
//! is refused (the form carries the version it was opened on).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use minijinja::context;

use super::model::SessionKind;
use super::sessions::{self, NewSession, SessionPatch, SessionWritten};
use super::working_copy::{read_copy, text, version, WorkingCopy};
use crate::domain::dates::ProgrammeTime;
use crate::domain::text::Check;
use crate::domain::{FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::console::nav;
use crate::web::console::{form_errors, Console, ConsoleReply, FormFields, Posted};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

/// The session form's values, by member, as the form shows them.
type Values = std::collections::BTreeMap<&'static str, serde_json::Value>;

fn values_of(copy: &WorkingCopy, id: i64) -> Values {
    use serde_json::json;
    let Some(s) = copy.sessions.iter().find(|s| s.id == id) else {
        return Values::new();
    };
    let f = &s.form;
    let event = &copy.event;
    Values::from([
        ("title", json!(f.title)),
        (
            "abstract",
            json!(f.abstract_text.clone().unwrap_or_default()),
        ),
        ("kind", json!(f.kind)),
        ("language", json!(f.language)),
        (
            "track_id",
            json!(f.track_id.map(|t| t.to_string()).unwrap_or_default()),
        ),
        (
            "speaker_ids",
            json!(copy
                .speaker_ids
                .get(&id)
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()),
        ),
        (
            "room_id",
            json!(f.room_id.map(|r| r.to_string()).unwrap_or_default()),
        ),
        ("starts_at", json!(event.local_input(f.starts_at))),
        ("ends_at", json!(event.local_input(f.ends_at))),
        (
            "capacity",
            json!(f.capacity.map(|c| c.to_string()).unwrap_or_default()),
        ),
        ("version", json!(version(s))),
    ])
}

fn values_sent(form: &FormFields) -> Values {
    use serde_json::json;
    let text = |name: &str| json!(form.text(name).unwrap_or_default());
    Values::from([
        ("title", text("title")),
        ("abstract", text("abstract")),
        ("kind", text("kind")),
        ("language", text("language")),
        ("track_id", text("track_id")),
        ("speaker_ids", json!(form.all("speaker_ids"))),
        ("room_id", text("room_id")),
        ("starts_at", text("starts_at")),
        ("ends_at", text("ends_at")),
        ("capacity", text("capacity")),
        ("version", text("version")),
    ])
}

/// The form's members as the API's new session; what cannot be read is noted in `check`.
fn session_input(form: &FormFields, check: &mut Check) -> NewSession {
    let number = |name: &str, check: &mut Check| {
        form.number::<i64>(name).unwrap_or_else(|_| {
            check.push(FieldError::new(name, "must be a whole number"));
            None
        })
    };
    let track_id = number("track_id", check);
    let room_id = number("room_id", check);
    let capacity = number("capacity", check).map(|c| i32::try_from(c).unwrap_or(i32::MAX));
    let time = |name: &str, check: &mut Check| {
        form.text(name)
            .and_then(|t| match ProgrammeTime::parse(&t) {
                Ok(t) => Some(t),
                Err(message) => {
                    check.push(FieldError::new(name, message));
                    None
                }
            })
    };
    let starts_at = time("starts_at", check);
    let ends_at = time("ends_at", check);
    let speaker_ids = form
        .all("speaker_ids")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    NewSession {
        title: form.text("title"),
        abstract_text: form.text("abstract"),
        kind: form
            .text("kind")
            .and_then(|k| serde_json::from_value(serde_json::json!(k)).ok()),
        language: form.text("language").and_then(|l| l.parse().ok()),
        track_id,
        speaker_ids,
        room_id,
        starts_at,
        ends_at,
        capacity,
    }
}

/// The whole form as a change of every member (a blank one clears it).
fn as_patch(n: NewSession) -> SessionPatch {
    SessionPatch {
        title: n.title,
        abstract_text: Some(n.abstract_text),
        kind: n.kind,
        language: n.language,
        track_id: Some(n.track_id),
        speaker_ids: Some(n.speaker_ids),
        room_id: Some(n.room_id),
        starts_at: Some(n.starts_at),
        ends_at: Some(n.ends_at),
        capacity: Some(n.capacity),
    }
}

/// What a session's form shows besides the session: the values in its fields, the errors
/// beside them, and what refused the last save.
struct Shown<'a> {
    values: Values,
    errors: &'a [FieldError],
    refused: Vec<String>,
}

impl Shown<'_> {
    fn values(values: Values) -> Shown<'static> {
        Shown {
            values,
            errors: &[],
            refused: vec![],
        }
    }
}

/// The form page of session `id` (none: a new one).
fn form_page(
    console: &Console,
    status: StatusCode,
    copy: &WorkingCopy,
    id: Option<i64>,
    shown: Shown,
) -> ConsoleReply {
    let lang = console.lang;
    let event = &copy.event;
    let fallback = event.default_language;
    let base = format!("/console/events/{}", event.slug);
    let action = match id {
        Some(id) => format!("{base}/sessions/{id}"),
        None => format!("{base}/sessions/new"),
    };
    let delete = id.map(|id| format!("{base}/sessions/{id}/delete"));
    let kinds: Vec<_> = [SessionKind::Keynote, SessionKind::Seminar, SessionKind::Panel, SessionKind::Workshop, SessionKind::Break]
        .iter()
        .map(|k| context! { code => k.as_str(), label => word(lang, Section::ConsoleSchedule, &format!("kind_{}", k.as_str())) })
        .collect();
    let languages: Vec<_> = Language::ALL
        .iter()
        .map(|l| context! { code => l.code(), label => l.native_name() })
        .collect();
    console.page(
        status,
        "console/session.html",
        &[Section::ConsoleSchedule],
        context! {
            event => nav(event, lang),
            tab => "schedule",
            is_new => id.is_none(),
            action => &action,
            csrf => console.csrf(&action),
            delete => &delete,
            delete_csrf => delete.as_ref().map(|d| console.csrf(d)),
            values => shown.values,
            errors => form_errors(lang, shown.errors),
            has_errors => !shown.errors.is_empty(),
            conflicts => shown.refused,
            kinds => kinds,
            languages => languages,
            default_language => event.default_language.code(),
            tracks => copy.tracks.iter().map(|t| context! { id => t.id.to_string(), name => text(&t.name, lang, fallback) }).collect::<Vec<_>>(),
            rooms => copy.rooms.iter().map(|r| context! { id => r.id.to_string(), name => text(&r.name, lang, fallback) }).collect::<Vec<_>>(),
            speakers => copy.speakers.iter().map(|s| context! { id => s.id.to_string(), name => &s.name, organization => &s.organization }).collect::<Vec<_>>(),
            can_edit => console.can(Role::Editor),
            back => format!("{base}/schedule?lang={}", lang.code()),
            setup => format!("{base}/programme-setup?lang={}", lang.code()),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/sessions/new", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "the form for a new session", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn new_form(console: Console, slug: SlugPath) -> ConsoleReply {
    console.require(Role::Editor)?;
    let copy = read_copy(&console.state, &slug)
        .await
        .map_err(|e| console.error(e))?;
    let language = copy.event.default_language.code();
    let values = Values::from([
        ("kind", serde_json::json!("seminar")),
        ("language", serde_json::json!(language)),
    ]);
    form_page(&console, StatusCode::OK, &copy, None, Shown::values(values))
}

#[utoipa::path(get, path = "/console/events/{slug}/sessions/{id}", tag = "console", params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "a session's form (read-only below the editor role)", content_type = "text/html"), (status = 303), (status = 404)))]
pub async fn edit_form(console: Console, path: ItemPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let (slug, id) = path.into_inner();
    let copy = read_copy(&console.state, &slug)
        .await
        .map_err(|e| console.error(e))?;
    if !copy.sessions.iter().any(|s| s.id == id) {
        return Err(console.error(AppError::not_found("no such session")));
    }
    let values = values_of(&copy, id);
    form_page(
        &console,
        StatusCode::OK,
        &copy,
        Some(id),
        Shown::values(values),
    )
}

/// After a save: the editor, on the session's day.
fn to_editor(console: &Console, slug: &str, day: Option<chrono::NaiveDate>) -> HttpResponse {
    let day = day.map(|d| format!("day={d}&")).unwrap_or_default();
    console.see_other(&format!(
        "/console/events/{slug}/schedule?{day}done=sch_moved"
    ))
}

/// After a save of session `id` (none: a new one): the editor on the session's day, or the
/// form again with what refused it.
async fn answer(
    console: &Console,
    slug: &str,
    id: Option<i64>,
    form: &FormFields,
    written: AppResult<SessionWritten>,
) -> ConsoleReply {
    match written {
        Ok(w) => Ok(to_editor(
            console,
            slug,
            w.session.starts_at.map(|t| t.date_naive()),
        )),
        Err(error) => after_refusal(console, slug, id, form, error).await,
    }
}

/// The form again after a refused write: the sent values, and what refused it.
async fn after_refusal(
    console: &Console,
    slug: &str,
    id: Option<i64>,
    form: &FormFields,
    error: AppError,
) -> ConsoleReply {
    let copy = read_copy(&console.state, slug)
        .await
        .map_err(|e| console.error(e))?;
    let lang = console.lang;
    let buffer = console.state.settings.schedule.speaker_buffer;
    let (status, shown) = match (&error, id) {
        (AppError::Validation(errors), _) => {
            let shown = Shown {
                values: values_sent(form),
                errors,
                refused: vec![],
            };
            (StatusCode::UNPROCESSABLE_ENTITY, shown)
        }
        (AppError::ScheduleConflict { conflicts, .. }, _) => {
            let refused = conflicts
                .iter()
                .map(|c| copy.describe(c, lang, buffer))
                .collect();
            let shown = Shown {
                values: values_sent(form),
                errors: &[],
                refused,
            };
            (StatusCode::CONFLICT, shown)
        }
        (AppError::PreconditionFailed(_), Some(id)) => {
            let refused = vec![word(lang, Section::ConsoleSchedule, "sch_stale")];
            let shown = Shown {
                values: values_of(&copy, id),
                errors: &[],
                refused,
            };
            (StatusCode::PRECONDITION_FAILED, shown)
        }
        _ => return Err(console.error(error)),
    };
    form_page(console, status, &copy, id, shown)
}

/// The form of session `id` again, with the conflicts a move without JavaScript met.
pub fn refused_page(
    console: &Console,
    copy: &WorkingCopy,
    id: i64,
    form: &FormFields,
    refused: Vec<String>,
) -> ConsoleReply {
    let mut values = values_of(copy, id);
    for key in ["room_id", "starts_at", "ends_at"] {
        values.insert(key, serde_json::json!(form.text(key).unwrap_or_default()));
    }
    let shown = Shown {
        values,
        errors: &[],
        refused,
    };
    form_page(console, StatusCode::CONFLICT, copy, Some(id), shown)
}

#[utoipa::path(post, path = "/console/events/{slug}/sessions/new", tag = "console", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the API's session members (times local to the fair), csrf"),
    responses((status = 303, description = "created: on to the editor"), (status = 403), (status = 404),
        (status = 409, description = "the form again, the conflict named", content_type = "text/html"), (status = 422, content_type = "text/html")))]
pub async fn create(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let mut check = Check::default();
    let input = session_input(&form, &mut check);
    let buffer = console.state.settings.schedule.speaker_buffer;
    let who = console.organizer();
    let whole_hall = form.text("whole_hall").is_some();
    let db = &console.state.db;
    let written = sessions::add(db, who, slug.to_string(), input, check, buffer, whole_hall);
    answer(&console, &slug, None, &form, written.await).await
}

#[utoipa::path(post, path = "/console/events/{slug}/sessions/{id}", tag = "console", params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the API's session members (times local to the fair), version, csrf"),
    responses((status = 303, description = "saved: on to the editor"), (status = 403), (status = 404),
        (status = 409, description = "the form again, the conflict named", content_type = "text/html"),
        (status = 412, description = "changed by someone else since the form was opened", content_type = "text/html"), (status = 422, content_type = "text/html")))]
pub async fn save(posted: Posted, path: ItemPath) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let (slug, id) = path.into_inner();
    let mut check = Check::default();
    let patch = as_patch(session_input(&form, &mut check));
    let buffer = console.state.settings.schedule.speaker_buffer;
    let (who, version) = (console.organizer(), form.text("version"));
    let written = sessions::change(
        &console.state.db,
        who,
        slug.clone(),
        id,
        patch,
        check,
        buffer,
        version,
    );
    answer(&console, &slug, Some(id), &form, written.await).await
}

#[utoipa::path(post, path = "/console/events/{slug}/sessions/{id}/delete", tag = "console", params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "deleted: on to the editor"), (status = 403), (status = 404)))]
pub async fn delete(posted: Posted, path: ItemPath) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let (slug, id) = path.into_inner();
    let who = console.organizer();
    sessions::remove(
        &console.state.db,
        who,
        slug.clone(),
        id,
        form.text("version"),
    )
    .await
    .map_err(|e| console.error(e))?;
    Ok(to_editor(&console, &slug, None))
}

/// The session pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_new_form, new_form)
        .add(__path_create, create)
        .add(__path_edit_form, edit_form)
        .add(__path_save, save)
        .add(__path_delete, delete);
}
