//! Exhibitors in the console: `/console/events/{slug}/exhibitors` — the review queue (submitted
//! applications, oldest first) and every other status a tab away — and an exhibitor's page:
//! its application, approve with a booth picker that offers the free booths matching the kind
//! and area it asked for first, reject with a reason, move to another booth, the payment
//! status. A booth smaller than asked or of another kind is said on the page (the approval
//! stands, as in the API). The steps are the API's (`review::review_step`): same rules, same
//! emails, same audit.

use actix_web::http::StatusCode;
use actix_web::web;
use minijinja::context;
use serde::Deserialize;

use super::model::{BoothKind, BoothRow, ExhibitorRow, Money, PaymentStatus, Status};
use super::{review, service, store};
use crate::config::Settings;
use crate::db::{Conn, PageRequest};
use crate::domain::text::Rule;
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::console::{fair, find, nav, Figure, Panel, PanelView};
use crate::events::Event;
use crate::web::console::{refusal, Console, ConsoleReply, FormFields, Posted, StatusTabs};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

/// The list's query: `status` (default `submitted`: the review queue; `all` for every one).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub status: Option<String>,
}

const TABS: StatusTabs = StatusTabs {
    codes: &[
        "submitted",
        "approved",
        "pending",
        "rejected",
        "withdrawn",
        "all",
    ],
    default: "submitted",
    section: Section::ConsoleExhibitors,
    prefix: "ex_tab_",
};

/// Exhibitors' part of a fair's overview: applications waiting for review, exhibitors approved,
/// and the booths held in each hall (registered by the app).
pub struct ExhibitorsPanel;

impl Panel for ExhibitorsPanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let one = PageRequest::first(1);
        let base = format!("/console/events/{}/exhibitors", event.slug);
        let (_, waiting) = store::page(c, event.id, &one, Some(Status::Submitted), None)?;
        let (_, approved) = store::page(c, event.id, &one, Some(Status::Approved), None)?;
        let held = store::booth_holders(c, event.id)?;
        let mut halls: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for b in store::booths_of(c, event.id)? {
            let hall = crate::domain::Translatable::from_db(&b.form.hall)
                .get(lang, event.default_language)
                .to_string();
            let entry = halls.entry(hall).or_default();
            entry.1 += 1;
            if held.contains_key(&b.id) {
                entry.0 += 1;
            }
        }
        let notes = halls
            .iter()
            .map(|(hall, (taken, all))| {
                w(lang, "ex_hall_occupancy")
                    .replace("{hall}", hall)
                    .replace("{taken}", &taken.to_string())
                    .replace("{all}", &all.to_string())
            })
            .collect();
        Ok(PanelView {
            title: w(lang, "ex_title"),
            figures: vec![
                Figure::new(waiting, w(lang, "ex_panel_submitted"))
                    .to(&format!("{base}?status=submitted"), lang),
                Figure::new(approved, w(lang, "ex_panel_approved"))
                    .to(&format!("{base}?status=approved"), lang),
            ],
            notes,
            link: Some((format!("{base}?lang={}", lang.code()), w(lang, "ex_open"))),
            ..PanelView::default()
        })
    }
}

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleExhibitors, key)
}

#[utoipa::path(get, path = "/console/events/{slug}/exhibitors", tag = "console",
    params(("slug" = String, Path), ListQuery),
    responses((status = 200, description = "the review queue (submitted, oldest first), or the exhibitors of another status", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn list(console: Console, slug: SlugPath, query: web::Query<ListQuery>) -> ConsoleReply {
    let lang = console.lang;
    let event = fair(&console, Role::Viewer, slug).await?;
    let base = format!("/console/events/{}/exhibitors", event.slug);
    let (tab, tabs) = TABS.pick(&base, lang, query.status.as_deref());
    let status = (tab != "all").then(|| Status::parse(&tab));
    let request = PageRequest::first(1000);
    let id = event.id;
    let (rows, booths) = console
        .run(move |c| {
            let (rows, _) = store::page(c, id, &request, status, None)?;
            let booths = store::booths_of(c, id)?;
            Ok((rows, booths))
        })
        .await?;
    let booth_code = |id: Option<i64>| {
        id.and_then(|id| booths.iter().find(|b| b.id == id))
            .map(|b| b.form.code.clone())
    };
    let items: Vec<_> = rows
        .iter()
        .map(|r| {
            context! {
                href => format!("{base}/{}?lang={}", r.id, lang.code()),
                company => &r.profile.company_name,
                contact => &r.profile.contact_name,
                wanted => format!("{} · \u{2066}{} m²\u{2069}", BoothKind::parse(&r.booth_kind).label(lang), r.booth_area_m2),
                status => r.status().label(lang),
                status_code => r.status().as_str(),
                booth => booth_code(r.booth_id),
                since => dates::day_time(lang, event.wall_clock(r.updated_at)),
            }
        })
        .collect();
    console.page(
        StatusCode::OK,
        "console/exhibitors.html",
        &[Section::ConsoleExhibitors],
        context! {
            event => nav(&event, lang),
            tab => "exhibitors",
            tabs => tabs,
            queue => tab == "submitted",
            rows => items,
            booths => format!("/console/events/{}/booths?lang={}", event.slug, lang.code()),
            directory => event.is_published().then(|| format!("/events/{}/exhibitors?lang={}", event.slug, lang.code())),
        },
    )
}

/// A free booth as the picker offers it, and how well it fits what was asked.
fn offered(
    booth: &BoothRow,
    ex: &ExhibitorRow,
    event: &Event,
    lang: Language,
) -> (u8, i32, minijinja::Value) {
    let same_kind = booth.form.kind == ex.booth_kind;
    let big_enough = booth.form.area_m2 >= ex.booth_area_m2;
    let fit = match (same_kind, big_enough) {
        (true, true) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (false, false) => 3,
    };
    let price = Money {
        amount: booth.form.price_amount,
        currency: booth.form.price_currency.clone(),
    };
    let hall = crate::domain::Translatable::from_db(&booth.form.hall);
    let label = format!(
        "{} · {} · \u{2066}{} m²\u{2069} · {} · {}",
        booth.form.code,
        hall.get(lang, event.default_language),
        booth.form.area_m2,
        BoothKind::parse(&booth.form.kind).label(lang),
        price.display(lang),
    );
    (
        fit,
        (booth.form.area_m2 - ex.booth_area_m2).abs(),
        context! { code => &booth.form.code, label => label, matches => fit == 0 },
    )
}

async fn show(
    console: &Console,
    event: &Event,
    id: i64,
    status: StatusCode,
    problem: Option<String>,
) -> ConsoleReply {
    let lang = console.lang;
    let (event_id, copy) = (event.id, event.clone());
    let (ex, out, warnings, free) = console
        .run(move |c| {
            let ex = store::find(c, event_id, id)?;
            let out = service::out(c, &copy, &ex)?;
            let warnings = service::booth_warnings(c, &ex)?;
            let held = store::booth_holders(c, event_id)?;
            let free: Vec<BoothRow> = store::booths_of(c, event_id)?
                .into_iter()
                .filter(|b| !held.contains_key(&b.id))
                .collect();
            Ok((ex, out, warnings, free))
        })
        .await?;
    let mut picker: Vec<_> = free.iter().map(|b| offered(b, &ex, event, lang)).collect();
    picker.sort_by_key(|(fit, gap, _)| (*fit, *gap));
    let base = format!("/console/events/{}/exhibitors/{id}", event.slug);
    let action = |what: &str| {
        let path = format!("{base}/{what}");
        context! { url => format!("{path}?lang={}", lang.code()), csrf => console.csrf(&path) }
    };
    let st = ex.status();
    console.page(
        status,
        "console/exhibitor.html",
        &[Section::ConsoleExhibitors],
        context! {
            event => nav(event, lang),
            tab => "exhibitors",
            notice => console.done(Section::ConsoleExhibitors),
            problem => problem,
            ex => context! {
                company => &out.company_name, contact => &out.contact_name, email => &out.email,
                phone => &out.phone, website => &out.website,
                country => out.country.as_deref().map(|c| crate::domain::country::label(c, lang)),
                sector => &out.sector, description => &out.description,
                wanted => format!("{} · \u{2066}{} m²\u{2069}", BoothKind::parse(&ex.booth_kind).label(lang), ex.booth_area_m2),
                status => st.label(lang), status_code => st.as_str(),
                booth => out.booth.as_ref().map(|b| format!("{} · {}", b.code, b.hall.get(lang, event.default_language))),
                payment => w(lang, &format!("ex_payment_{}", out.payment_status.as_str())),
                payment_code => out.payment_status.as_str(),
                reason => &out.rejection_reason,
                staff => out.staff.iter().map(|s| context! { name => &s.name, status => &s.status }).collect::<Vec<_>>(),
                applied => dates::day_time(lang, event.wall_clock(ex.created_at)),
            },
            warnings => warnings.iter().map(|x| w(lang, &format!("ex_warn_{}", x.code))).collect::<Vec<_>>(),
            picker => picker.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>(),
            can_edit => console.can(Role::Editor),
            can_review => st == Status::Submitted,
            can_move => st == Status::Approved,
            payments => ["unpaid", "paid", "waived"].iter().map(|p| context! { code => p, label => w(lang, &format!("ex_payment_{p}")) }).collect::<Vec<_>>(),
            approve_form => action("approve"),
            reject_form => action("reject"),
            booth_form => action("booth"),
            payment_form => action("payment"),
            back => format!("/console/events/{}/exhibitors?lang={}", event.slug, lang.code()),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/exhibitors/{id}", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "an exhibitor: its application, booth, payment and staff; approve with a booth picker, reject, move, payment", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn page(console: Console, path: ItemPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let (slug, id) = path.into_inner();
    let event = find(&console, slug).await?;
    show(&console, &event, id, StatusCode::OK, None).await
}

/// What a review step posted from an exhibitor's page works with, inside its transaction.
struct Step<'a, 'c> {
    c: &'a mut Conn<'c>,
    settings: &'a Settings,
    event: &'a Event,
    ex: &'a ExhibitorRow,
    form: &'a FormFields,
}

/// A review step posted from an exhibitor's page: the API's step, then back to the page.
async fn act(
    posted: Posted,
    path: ItemPath,
    action: &'static str,
    done: &'static str,
    step: impl FnOnce(Step) -> AppResult<ExhibitorRow> + Send + 'static,
) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let (slug, id) = path.into_inner();
    let event = find(&console, slug.clone()).await?;
    let settings = console.state.settings.clone();
    let who = console.organizer().id;
    let written = console
        .state
        .db
        .write(move |c| {
            review::review_step(
                c,
                &settings,
                who,
                &slug,
                id,
                action,
                |c, settings, event, ex| {
                    let form = &form;
                    step(Step {
                        c,
                        settings,
                        event,
                        ex,
                        form,
                    })
                },
            )
        })
        .await;
    match written {
        Ok(_) => Ok(console.see_other(&format!(
            "/console/events/{}/exhibitors/{id}?done={done}",
            event.slug
        ))),
        Err(e) => match refusal(&e, console.lang) {
            Some((status, said)) => show(&console, &event, id, status, Some(said)).await,
            None => Err(console.error(e)),
        },
    }
}

fn booth_code(form: &FormFields) -> Option<String> {
    form.text("booth_code").filter(|c| !c.trim().is_empty())
}

#[utoipa::path(post, path = "/console/events/{slug}/exhibitors/{id}/approve", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "booth_code (blank: none yet), csrf"),
    responses((status = 303, description = "approved and emailed: back to the exhibitor"), (status = 403), (status = 404), (status = 409, description = "not submitted, or the booth is taken: said on the page")))]
pub async fn approve(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "approve", "ex_done_approved", |r| {
        let code = booth_code(r.form);
        service::approve(r.c, r.settings, r.event, r.ex, code.as_deref())
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/exhibitors/{id}/reject", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "reason, csrf"),
    responses((status = 303, description = "rejected and emailed with the reason: back to the exhibitor"), (status = 403), (status = 404), (status = 409, description = "not submitted, or no reason given: said on the page")))]
pub async fn reject(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "reject", "ex_done_rejected", |r| {
        let mut errors = Vec::new();
        let reason = r.form.text("reason");
        let reason = crate::domain::text::long_text("reason", reason.as_deref(), 2000, &mut errors);
        let Some(reason) = reason.filter(|_| errors.is_empty()) else {
            return Err(AppError::Validation(vec![FieldError::rule(
                "reason",
                Rule::Required,
            )]));
        };
        service::reject(r.c, r.settings, r.event, r.ex, &reason)
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/exhibitors/{id}/booth", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "booth_code, csrf"),
    responses((status = 303, description = "moved and emailed: back to the exhibitor"), (status = 403), (status = 404), (status = 409, description = "the booth is taken, or not approved: said on the page")))]
pub async fn set_booth(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "assign_booth", "ex_done_moved", |r| {
        let Some(code) = booth_code(r.form) else {
            return Err(AppError::Validation(vec![FieldError::rule(
                "booth_code",
                Rule::Required,
            )]));
        };
        service::reassign(r.c, r.settings, r.event, r.ex, &code)
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/exhibitors/{id}/payment", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "payment_status (unpaid, paid, waived), csrf"),
    responses((status = 303, description = "saved: back to the exhibitor"), (status = 403), (status = 404)))]
pub async fn payment(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "payment", "ex_done_payment", |r| {
        let status = PaymentStatus::parse(&r.form.text("payment_status").unwrap_or_default());
        store::set_payment(r.c, r.ex.id, status)?;
        Ok(store::find_by_id(r.c, r.ex.id)?)
    })
    .await
}

/// The exhibitors' console routes.
#[utoipa::path(get, path = "/console/events/{slug}/booths", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "the booths: each hall's summary (booths and m² held), then every booth with its exhibitor", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn booths(console: Console, slug: SlugPath) -> ConsoleReply {
    let lang = console.lang;
    let event = fair(&console, Role::Viewer, slug).await?;
    let id = event.id;
    let (halls, booths, holders, companies) = console
        .run(move |c| {
            Ok((
                super::booths::hall_summaries(c, id)?,
                store::booths_of(c, id)?,
                store::booth_holders(c, id)?,
                store::of_event(c, id, store::By::Approved)?,
            ))
        })
        .await?;
    let base = format!("/console/events/{}/exhibitors", event.slug);
    let hall_name =
        |stored: &crate::domain::Translatable| stored.get(lang, event.default_language).to_string();
    let percent = |part: i64, all: i64| if all > 0 { part * 100 / all } else { 0 };
    let halls: Vec<_> = halls
        .iter()
        .map(|h| {
            context! {
                name => hall_name(&h.hall),
                booths => h.booths, held => h.booths_assigned, free => h.booths - h.booths_assigned,
                area => h.area_m2_total, area_held => h.area_m2_assigned,
                percent => percent(h.area_m2_assigned, h.area_m2_total),
            }
        })
        .collect();
    let mut rows: Vec<_> = booths
        .iter()
        .map(|b| {
            let hall = hall_name(&crate::domain::Translatable::from_db(&b.form.hall));
            let holder = holders
                .get(&b.id)
                .and_then(|ex| companies.iter().find(|c| c.id == *ex));
            let price = Money {
                amount: b.form.price_amount,
                currency: b.form.price_currency.clone(),
            };
            (
                (hall.clone(), b.form.code.clone()),
                context! {
                    code => &b.form.code, hall => hall,
                    area => b.form.area_m2,
                    kind => BoothKind::parse(&b.form.kind).label(lang),
                    passes => b.form.staff_passes,
                    price => price.display(lang),
                    holder => holder.map(|h| context! {
                        company => &h.profile.company_name,
                        href => format!("{base}/{}?lang={}", h.id, lang.code()),
                    }),
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    console.page(
        StatusCode::OK,
        "console/booths.html",
        &[Section::ConsoleExhibitors],
        context! {
            event => nav(&event, lang),
            tab => "exhibitors",
            back => format!("{base}?lang={}", lang.code()),
            halls => halls,
            rows => rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
            directory => event.is_published().then(|| format!("/events/{}/exhibitors?lang={}", event.slug, lang.code())),
        },
    )
}

pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_booths, booths);
    r.add(__path_list, list);
    r.add(__path_page, page);
    r.add(__path_approve, approve);
    r.add(__path_reject, reject);
    r.add(__path_set_booth, set_booth);
    r.add(__path_payment, payment);
}
