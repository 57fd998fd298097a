//! Releases in the console: `/console/events/{slug}/releases/new` shows what a release would
//! publish before anyone presses the button — the diff against the programme online (new,
//! moved with where and when it was, changed, cancelled), the hard conflicts that would refuse
//! it, the warnings, how many attendees the release would email and that email as each of the
//! fair's languages reads it — and publishes it; `/console/events/{slug}/releases` lists every
//! release with its diff. Publishing goes through `publishing::release`, as the API's does.

use actix_web::http::StatusCode;
use actix_web::web;
use minijinja::context;

use super::publishing::{Asked, Publisher};
use super::releases::{self, Diff, DiffEntry, Release, ReleaseHooks, Snapshot};
use super::working_copy::WorkingCopy;
use crate::domain::text::Check;
use crate::domain::{dates, Language, Role};
use crate::error::AppError;
use crate::events::console::nav;
use crate::events::Event;
use crate::web::console::{form_errors, Console, ConsoleReply, FormFields, Posted};
use crate::web::words::{word, Section};
use crate::web::SlugPath;

/// Where and when a session of `snapshot` is, in the fair's local time.
fn place(event: &Event, snapshot: &Snapshot, id: i64, lang: Language) -> Option<String> {
    let s = snapshot.sessions.iter().find(|s| s.id == id)?;
    let room = snapshot
        .rooms
        .iter()
        .find(|r| r.id == s.room_id)
        .map(|r| r.name.get(lang, event.default_language).to_string())
        .unwrap_or_default();
    Some(format!(
        "{}–{} · {room}",
        dates::day_time(lang, s.starts_at.naive_local()),
        s.ends_at.format("%H:%M")
    ))
}

/// A diff as the page lists it: each group with its entries, moved ones with was → now.
fn groups(
    event: &Event,
    before: &Snapshot,
    after: &Snapshot,
    diff: &Diff,
    lang: Language,
) -> Vec<minijinja::Value> {
    let w = |key: &str| word(lang, Section::ConsoleSchedule, key);
    let entries =
        |list: &[DiffEntry], moved: bool, cancelled: bool| -> Vec<minijinja::Value> {
            list.iter()
            .map(|e| context! {
                title => &e.title,
                now => if cancelled { None } else { place(event, after, e.id, lang) },
                was => if moved || cancelled { place(event, before, e.id, lang) } else { None },
            })
            .collect()
        };
    vec![
        context! { kind => "new", label => w("rel_new_sessions"), entries => entries(&diff.new, false, false) },
        context! { kind => "moved", label => w("rel_moved"), entries => entries(&diff.moved, true, false) },
        context! { kind => "changed", label => w("rel_changed"), entries => entries(&diff.changed, false, false) },
        context! { kind => "cancelled", label => w("rel_cancelled"), entries => entries(&diff.cancelled, false, true) },
    ]
}

/// A release form that was refused: what was sent, the errors beside its fields, and what else
/// refused it.
struct Refused<'a> {
    form: &'a FormFields,
    errors: Vec<crate::domain::FieldError>,
    notes: Vec<String>,
}

/// The release form's page: the prospect of publishing now, the form's values and errors.
async fn prospect_page(
    hooks: &web::Data<ReleaseHooks>,
    console: &Console,
    slug: String,
    status: StatusCode,
    refused: Option<Refused<'_>>,
) -> ConsoleReply {
    let buffer = console.state.settings.schedule.speaker_buffer;
    let hooks = hooks.clone();
    let (copy, prospect, count, speakers) = console
        .run(move |c| {
            let copy = WorkingCopy::read(c, &slug, buffer)?;
            let prospect = releases::prospect(c, &hooks, &copy.event)?;
            let count = super::store::releases_of_event(c, copy.event.id)?.len();
            let (previous, release) = (prospect.previous.as_ref(), &prospect.release);
            let speakers = super::changes::speakers_to_tell(c, &copy.event, previous, release)?;
            Ok((copy, prospect, count, speakers))
        })
        .await?;
    let lang = console.lang;
    let event = &copy.event;
    let before = prospect
        .previous
        .as_ref()
        .map(|p| p.snapshot.clone())
        .unwrap_or_default();
    let action = format!("/console/events/{}/releases/new", event.slug);
    let sent = refused.as_ref().map(|r| r.form);
    let (errors, refused) = refused.map(|r| (r.errors, r.notes)).unwrap_or_default();
    let recipients: usize = prospect.previews.iter().map(|p| p.recipients).sum();
    let emails: Vec<_> = prospect.previews.iter().flat_map(|p| p.emails.iter()).map(|e| context! {
        language => e.language.native_name(), code => e.language.code(), subject => &e.subject, text => &e.text,
    }).collect();
    console.page(
        status,
        "console/release_new.html",
        &[Section::ConsoleSchedule],
        context! {
            event => nav(event, lang),
            tab => "releases",
            groups => groups(event, &before, &prospect.release.snapshot, &prospect.release.diff, lang),
            nothing => prospect.release.diff.is_empty() && prospect.previous.is_some(),
            conflicts => copy.findings.conflicts.iter().map(|c| copy.describe(c, lang, buffer)).collect::<Vec<_>>(),
            warnings => copy.findings.warnings.iter().map(|c| copy.describe(c, lang, buffer)).collect::<Vec<_>>(),
            recipients => recipients,
            speakers => speakers,
            emails => emails,
            action => &action,
            csrf => console.csrf(&action),
            version => sent.and_then(|f| f.text("version")).unwrap_or_else(|| (count + 1).to_string()),
            comment => sent.and_then(|f| f.text("comment")).unwrap_or_default(),
            errors => form_errors(lang, &errors),
            refused => refused,
            can_edit => console.can(Role::Editor),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/releases/new", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "what a release would publish now, and its form", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn new_form(
    hooks: web::Data<ReleaseHooks>,
    console: Console,
    slug: SlugPath,
) -> ConsoleReply {
    console.require(Role::Viewer)?;
    prospect_page(&hooks, &console, slug.into_inner(), StatusCode::OK, None).await
}

#[utoipa::path(post, path = "/console/events/{slug}/releases/new", tag = "console", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "version, comment, csrf"),
    responses((status = 303, description = "published: on to the releases"), (status = 403), (status = 404),
        (status = 409, description = "hard conflicts, or the version is taken: the page again, saying which", content_type = "text/html"),
        (status = 422, content_type = "text/html")))]
pub async fn publish(publisher: Publisher, posted: Posted, slug: SlugPath) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let slug = slug.into_inner();
    let mut check = Check::default();
    let version = check.text("version", form.text("version"), 100);
    let comment = check.long_text("comment", form.text("comment").as_deref(), 2000);
    let done = match check.done() {
        Ok(()) => {
            let asked = Asked {
                version: version.unwrap_or_default(),
                comment,
                tell_speakers: form.text("notify_speakers").is_some(),
            };
            let who = console.organizer();
            publisher.release(who, slug.clone(), asked).await
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    let (status, errors, notes) = match done {
        Ok(_) => {
            return Ok(console.see_other(&format!("/console/events/{slug}/releases?done=rel_done")))
        }
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, vec![]),
        Err(AppError::Conflict(detail)) => {
            let errors = vec![crate::domain::FieldError::new("version", detail)];
            (StatusCode::CONFLICT, errors, vec![])
        }
        Err(AppError::ScheduleConflict { .. }) => {
            let refused = word(console.lang, Section::ConsoleSchedule, "rel_conflicts");
            (StatusCode::CONFLICT, vec![], vec![refused])
        }
        Err(other) => return Err(console.error(other)),
    };
    let refused = Refused {
        form: &form,
        errors,
        notes,
    };
    prospect_page(&publisher.hooks, &console, slug, status, Some(refused)).await
}

#[utoipa::path(get, path = "/console/events/{slug}/releases", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "every release with its diff", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn list(console: Console, slug: SlugPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let slug = slug.into_inner();
    let (event, all) = console
        .run(move |c| {
            let event = crate::events::store::visible(c, &slug, true)?;
            let all = releases::all(c, event.id)?;
            Ok((event, all))
        })
        .await?;
    let lang = console.lang;
    let empty = Snapshot::default();
    let mut shown = Vec::new();
    for (i, r) in all.iter().enumerate() {
        let before = if i == 0 { &empty } else { &all[i - 1].snapshot };
        shown.push(release_view(&event, r, before, lang));
    }
    shown.reverse();
    let notice = console.done(Section::ConsoleSchedule);
    console.page(
        StatusCode::OK,
        "console/releases.html",
        &[Section::ConsoleSchedule],
        context! {
            event => nav(&event, lang),
            tab => "releases",
            releases => shown,
            new => format!("/console/events/{}/releases/new?lang={}", event.slug, lang.code()),
            can_edit => console.can(Role::Editor),
            notice => notice,
        },
    )
}

fn release_view(event: &Event, r: &Release, before: &Snapshot, lang: Language) -> minijinja::Value {
    context! {
        version => &r.version,
        comment => &r.comment,
        published_at => dates::day_time(lang, event.local(r.published_at).naive_local()),
        groups => groups(event, before, &r.snapshot, &r.diff, lang),
        sessions => r.snapshot.sessions.len(),
    }
}

/// The release pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_new_form, new_form)
        .add(__path_publish, publish)
        .add(__path_list, list);
}
