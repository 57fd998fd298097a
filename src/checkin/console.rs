//! The door in the console, `/console/events/{slug}/door`: the page a steward holds on a phone.
//! A handheld scanner types the badge code and Enter into its field; the phone's camera is read
//! for the badge's QR code in the browser (`BarcodeDetector`) or, where the browser has none,
//! here: `POST …/door/frame` takes a grey picture of the frame and answers the code it holds
//! (`rqrr`). Every check answers green (in: first scan today), amber (already in today) or
//! red (refused), with the name, organization and category, and today's count. The checkin
//! role sees only this page. Without JavaScript the form posts and the page answers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{check_in, count_on, Door};
use crate::db::Conn;
use crate::domain::{Language, Role};
use crate::error::AppResult;
use crate::events::console::{fair, find, nav, Figure, Panel, PanelView};
use crate::events::Event;
use crate::registrations::Status;
use crate::web::console::{Console, ConsoleReply, Posted};
use crate::web::words::{word, Section};
use crate::web::SlugPath;

/// The widest frame the camera sends (and the most pixels it may hold): enough for a badge held
/// up to a phone, small enough to decode in a few milliseconds.
const FRAME_WIDTH: usize = 640;
const FRAME_PIXELS: usize = 640 * 480;

/// The door's part of a fair's overview: today's check-ins, linked to the door (registered by
/// the app).
pub struct DoorPanel;

impl Panel for DoorPanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let today = event.wall_clock(crate::db::now()).date();
        let n = count_on(c, event.id, today)?;
        Ok(PanelView {
            title: word(lang, Section::ConsoleDoor, "door_title"),
            figures: vec![
                Figure::new(n, word(lang, Section::ConsoleDoor, "door_panel_today"))
                    .to(&format!("/console/events/{}/door", event.slug), lang),
            ],
            ..PanelView::default()
        })
    }
}

/// The result band: what the steward reads at arm's length.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// `in`, `again` or `refused` (the band's colour: green, amber, red).
    pub kind: &'static str,
    pub title: String,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub category: Option<String>,
    pub detail: Option<String>,
    /// Badges checked in today.
    pub today: i64,
}

fn outcome(door: Door, event: &Event, lang: Language, today: i64) -> Outcome {
    let w = |key: &str| word(lang, Section::ConsoleDoor, &format!("door_{key}"));
    let person =
        |kind: &'static str, title: String, detail: Option<String>, r: super::ScanResult| Outcome {
            kind,
            title,
            name: r.name,
            organization: r.organization,
            category: Some(r.category.label(lang).to_string()),
            detail,
            today,
        };
    let refused = |detail: String| Outcome {
        kind: "refused",
        title: w("refused"),
        name: None,
        organization: None,
        category: None,
        detail: Some(detail),
        today,
    };
    match door {
        Door::In(r) => person("in", w("in"), None, r),
        Door::Again(r) => {
            let first = event
                .wall_clock(r.checked_in_at.naive_utc())
                .format("%H:%M")
                .to_string();
            let detail = w("again_detail").replace("{time}", &first);
            person("again", w("again"), Some(detail), r)
        }
        Door::Unknown => refused(w("unknown")),
        Door::NotConfirmed(status) => {
            refused(w("not_confirmed").replace("{status}", &status_word(status, lang)))
        }
        Door::NotAFairDay(_) => refused(w("not_a_fair_day")),
    }
}

fn status_word(status: Status, lang: Language) -> String {
    word(lang, Section::ConsoleDoor, &format!("door_status_{status}"))
}

/// The door page, with the outcome of the check just made (if any).
fn door_page(
    console: &Console,
    event: &Event,
    status: StatusCode,
    result: Option<&Outcome>,
    today: i64,
) -> ConsoleReply {
    let action = format!("/console/events/{}/door", event.slug);
    let frame = format!("{action}/frame");
    console.page(
        status,
        "console/door.html",
        &[Section::ConsoleDoor],
        context! {
            event => nav(event, console.lang),
            tab => "door",
            action => format!("{action}?lang={}", console.lang.code()),
            csrf => console.csrf(&action),
            frame => frame,
            frame_csrf => console.csrf(&frame),
            outcome => result,
            today => today,
        },
    )
}

fn today_of(event: &Event, now: DateTime<Utc>) -> chrono::NaiveDate {
    now.with_timezone(&event.timezone).date_naive()
}

#[utoipa::path(get, path = "/console/events/{slug}/door", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "the door: a badge code field (a handheld scanner types into it), the camera, today's count", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn page(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Checkin, slug).await?;
    let day = today_of(&event, console.state.clock.now());
    let id = event.id;
    let today = console.run(move |c| count_on(c, id, day)).await?;
    door_page(&console, &event, StatusCode::OK, None, today)
}

#[utoipa::path(post, path = "/console/events/{slug}/door", tag = "console",
    params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "badge_code, csrf"),
    responses((status = 200, description = "the door page with the result band (or, asked with Accept: application/json, the outcome: kind in|again|refused, title, name, organization, category, detail, today)"),
        (status = 403), (status = 404)))]
pub async fn check(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let Posted { console, form } = posted;
    let event = fair(&console, Role::Checkin, slug).await?;
    let code = form.text("badge_code").unwrap_or_default();
    let now = console.state.clock.now();
    let (who, slug, id, day) = (
        console.organizer().id,
        event.slug.clone(),
        event.id,
        today_of(&event, now),
    );
    let (door, today) = console
        .write(move |c| {
            let door = if code.trim().is_empty() {
                Door::Unknown
            } else {
                check_in(c, &slug, &code, who, now)?
            };
            Ok((door, count_on(c, id, day)?))
        })
        .await?;
    let result = outcome(door, &event, console.lang, today);
    if crate::web::console::wants_json(&console.req) {
        return Ok(HttpResponse::Ok().json(&result));
    }
    door_page(&console, &event, StatusCode::OK, Some(&result), today)
}

/// The size of a camera frame, in the query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FrameSize {
    /// Width in pixels (at most 640).
    pub w: usize,
    /// Height in pixels (`w × h` at most 640 × 480).
    pub h: usize,
}

/// What a camera frame held.
#[derive(Debug, Serialize)]
struct Seen {
    /// The QR code's text, or null when the frame held none that reads.
    code: Option<String>,
}

#[utoipa::path(post, path = "/console/events/{slug}/door/frame", tag = "console",
    params(("slug" = String, Path), FrameSize, ("x-csrf" = String, Header, description = "the door page's token for this address")),
    request_body(content_type = "application/octet-stream", description = "the frame's grey levels, one byte a pixel, row by row (w × h bytes)"),
    responses((status = 200, description = "{\"code\": the QR code read, or null}", content_type = "application/json"),
        (status = 403), (status = 404), (status = 422, description = "the body is not w × h bytes, or the frame is too large")))]
pub async fn frame(
    console: Console,
    slug: SlugPath,
    size: web::Query<FrameSize>,
    body: web::Bytes,
) -> ConsoleReply {
    let token = console
        .req
        .headers()
        .get("x-csrf")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = console.req.path().to_string();
    console.check_form(&path, &token)?;
    console.require(Role::Checkin)?;
    let FrameSize { w, h } = size.into_inner();
    let fits = w > 0 && h > 0 && w <= FRAME_WIDTH && w * h <= FRAME_PIXELS;
    if !fits || body.len() != w * h {
        return Err(console.error(crate::error::AppError::validation(
            "body",
            "must be the frame's w × h grey levels, at most 640 × 480",
        )));
    }
    // The fair must exist and be this organizer's to see, like every page of it.
    find(&console, slug.into_inner()).await?;
    let code = web::block(move || read_qr(&body, w, h))
        .await
        .map_err(|e| console.error(e.into()))?;
    Ok(HttpResponse::Ok().json(Seen { code }))
}

/// The text of the first QR code that reads in a grey `w × h` picture.
pub fn read_qr(grey: &[u8], w: usize, h: usize) -> Option<String> {
    let mut picture = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    picture
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

/// The door's routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_page, page);
    r.add(__path_check, check);
    r.add(__path_frame, frame);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_badge_qr_reads_from_a_grey_frame() {
        let code = "K7QM-2XHP-9TRW-C4ND";
        let qr = qrcode::QrCode::new(code.as_bytes()).expect("qr");
        let modules = qr.width();
        let scale = 8;
        let (w, h) = (480, 360);
        let mut grey = vec![200u8; w * h];
        let side = (modules + 8) * scale;
        let (left, top) = ((w - side) / 2, (h - side) / 2);
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
                let dark = mx >= 0
                    && my >= 0
                    && (mx as usize) < modules
                    && (my as usize) < modules
                    && qr[(mx as usize, my as usize)] == qrcode::Color::Dark;
                grey[(top + y) * w + left + x] = if dark { 30 } else { 235 };
            }
        }
        assert_eq!(super::read_qr(&grey, w, h).as_deref(), Some(code));
        assert_eq!(super::read_qr(&vec![128; w * h], w, h), None);
    }
}
