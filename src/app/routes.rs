//! Every route, in one table, mounted from each area's handlers. Each path is one resource
//! whose unknown methods answer 405 problem+json; `tests/api/openapi.rs` checks that each of
//! these is in the OpenAPI document.
//!
//! actix matches resources in the order they are listed, so the public programme's reads —
//! what a fair's visitors and their calendars ask for most — and the public registration come
//! first: the order shows in their throughput (measured in `bench/README.md`).

use actix_web::web::{self, delete, get, patch, post, put};
use actix_web::Resource;

use crate::web::health;
use crate::{audit, auth, checkin, email, events, exhibitors, registrations, schedule};

/// One path and the methods it answers (`allow`, for the 405's `Allow` header; `HEAD` is
/// answered wherever `GET` is, by `web::head_as_get`).
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || crate::web::method_not_allowed(allow)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use events::handlers as ev;
    use exhibitors::{booths, handlers as exh, pages as exhpages, self_service as exself};
    use registrations::{attendee, handlers as reg, organizer as regorg, pages as regpages};
    use schedule::{conflicts, publishing, releases, rooms, sessions, speakers, tracks};
    cfg.service(resource("/healthz", "GET, HEAD").route(get().to(health::healthz)))
        .service(resource("/readyz", "GET, HEAD").route(get().to(health::readyz)))
        .service(
            resource("/api/v1/events/{slug}/sessions", "GET, HEAD, POST")
                .route(get().to(sessions::list))
                .route(post().to(sessions::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations", "GET, HEAD, POST")
                .route(get().to(regorg::list))
                .route(post().to(reg::register)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule", "GET, HEAD")
                .route(get().to(publishing::public_schedule)),
        )
        .service(
            resource("/events/{slug}", "GET, HEAD").route(get().to(schedule::pages::programme)),
        )
        .service(
            resource("/events/{slug}/sessions/{id}", "GET, HEAD")
                .route(get().to(schedule::pages::session)),
        )
        .service(
            resource("/events/{slug}/schedule.ics", "GET, HEAD")
                .route(get().to(schedule::downloads::ics)),
        )
        .service(
            resource("/events/{slug}/schedule.xml", "GET, HEAD")
                .route(get().to(schedule::downloads::xml)),
        )
        .service(
            resource("/events/{slug}/schedule.json", "GET, HEAD")
                .route(get().to(schedule::downloads::json)),
        )
        .service(resource("/metrics", "GET, HEAD").route(get().to(health::metrics)))
        .service(
            resource("/api/v1/openapi.json", "GET, HEAD").route(get().to(super::openapi::document)),
        )
        .service(resource("/api/v1/docs", "GET, HEAD").route(get().to(super::openapi::page)))
        .service(
            resource("/api/v1/auth/tokens", "POST").route(post().to(auth::handlers::create_token)),
        )
        .service(
            resource("/api/v1/auth/tokens/{id}", "DELETE")
                .route(delete().to(auth::handlers::revoke_token)),
        )
        .service(
            resource("/api/v1/organizers", "POST")
                .route(post().to(auth::handlers::create_organizer)),
        )
        .service(resource("/api/v1/audit", "GET, HEAD").route(get().to(audit::list_all)))
        .service(
            resource("/api/v1/events", "GET, HEAD, POST")
                .route(get().to(ev::list))
                .route(post().to(ev::create)),
        )
        .service(
            resource("/api/v1/events/{slug}", "GET, HEAD, PATCH")
                .route(get().to(ev::get))
                .route(patch().to(ev::update)),
        )
        .service(resource("/api/v1/events/{slug}/publish", "POST").route(post().to(ev::publish)))
        .service(
            resource("/api/v1/events/{slug}/audit", "GET, HEAD").route(get().to(ev::audit_log)),
        )
        .service(
            resource("/api/v1/events/{slug}/rooms", "GET, HEAD, POST")
                .route(get().to(rooms::list))
                .route(post().to(rooms::create)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/rooms/{id}",
                "GET, HEAD, PATCH, DELETE",
            )
            .route(get().to(rooms::get))
            .route(patch().to(rooms::update))
            .route(delete().to(rooms::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/tracks", "GET, HEAD, POST")
                .route(get().to(tracks::list))
                .route(post().to(tracks::create)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/tracks/{id}",
                "GET, HEAD, PATCH, DELETE",
            )
            .route(get().to(tracks::get))
            .route(patch().to(tracks::update))
            .route(delete().to(tracks::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/speakers", "GET, HEAD, POST")
                .route(get().to(speakers::list))
                .route(post().to(speakers::create)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/speakers/{id}",
                "GET, HEAD, PATCH, DELETE",
            )
            .route(get().to(speakers::get))
            .route(patch().to(speakers::update))
            .route(delete().to(speakers::delete)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/sessions/{id}",
                "GET, HEAD, PATCH, DELETE",
            )
            .route(get().to(sessions::get))
            .route(patch().to(sessions::update))
            .route(delete().to(sessions::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule/conflicts", "GET, HEAD")
                .route(get().to(conflicts::report)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule/releases", "GET, HEAD, POST")
                .route(get().to(releases::list))
                .route(post().to(publishing::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule/import", "POST")
                .route(post().to(schedule::import::import)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations.csv", "GET, HEAD")
                .route(get().to(regorg::csv)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations/{id}", "PATCH, DELETE")
                .route(patch().to(regorg::update))
                .route(delete().to(regorg::erase)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations/{id}/resend", "POST")
                .route(post().to(regorg::resend)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/registrations/{id}/badge",
                "GET, HEAD",
            )
            .route(get().to(regorg::badge)),
        )
        .service(resource("/api/v1/registrations/confirm", "POST").route(post().to(reg::confirm)))
        .service(
            resource("/api/v1/me", "GET, HEAD, DELETE")
                .route(get().to(attendee::get))
                .route(delete().to(attendee::cancel)),
        )
        .service(resource("/api/v1/me/erase", "POST").route(post().to(attendee::erase)))
        .service(resource("/api/v1/me/bookings", "POST").route(post().to(attendee::create_booking)))
        .service(
            resource("/api/v1/me/bookings/{session_id}", "DELETE")
                .route(delete().to(attendee::delete_booking)),
        )
        .service(
            resource("/api/v1/events/{slug}/bookings/summary", "GET, HEAD")
                .route(get().to(regorg::bookings_summary)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/sessions/{id}/bookings.csv",
                "GET, HEAD",
            )
            .route(get().to(regorg::session_bookings_csv)),
        )
        .service(
            resource("/a/{feed_token}.ics", "GET, HEAD")
                .route(get().to(registrations::agenda::feed)),
        )
        .service(
            resource("/api/v1/events/{slug}/emails", "GET, HEAD")
                .route(get().to(email::handlers::list)),
        )
        .service(
            resource("/api/v1/events/{slug}/emails/{id}/retry", "POST")
                .route(post().to(email::handlers::retry)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/email-templates/{kind}/{lang}",
                "GET, HEAD, PUT",
            )
            .route(get().to(email::handlers::get_template))
            .route(put().to(email::handlers::put_template)),
        )
        .service(
            resource("/api/v1/events/{slug}/booths", "GET, HEAD, POST")
                .route(get().to(booths::list))
                .route(post().to(booths::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/booths/summary", "GET, HEAD")
                .route(get().to(booths::summary)),
        )
        .service(
            resource(
                "/api/v1/events/{slug}/booths/{id}",
                "GET, HEAD, PATCH, DELETE",
            )
            .route(get().to(booths::get))
            .route(patch().to(booths::update))
            .route(delete().to(booths::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/exhibitors", "GET, HEAD, POST")
                .route(get().to(exh::list))
                .route(post().to(exh::apply)),
        )
        .service(resource("/api/v1/exhibitors/confirm", "POST").route(post().to(exh::confirm)))
        .service(
            resource("/api/v1/events/{slug}/exhibitors/{id}", "PATCH, DELETE")
                .route(patch().to(exh::update))
                .route(delete().to(exh::erase)),
        )
        .service(
            resource("/api/v1/events/{slug}/exhibitors/{id}/approve", "POST")
                .route(post().to(exh::approve)),
        )
        .service(
            resource("/api/v1/events/{slug}/exhibitors/{id}/reject", "POST")
                .route(post().to(exh::reject)),
        )
        .service(
            resource("/api/v1/events/{slug}/exhibitors/{id}/booth", "PUT")
                .route(put().to(exh::set_booth)),
        )
        .service(
            resource("/api/v1/exhibitor", "GET, HEAD, PATCH")
                .route(get().to(exself::get))
                .route(patch().to(exself::update)),
        )
        .service(resource("/api/v1/exhibitor/withdraw", "POST").route(post().to(exself::withdraw)))
        .service(resource("/api/v1/exhibitor/erase", "POST").route(post().to(exself::erase)))
        .service(resource("/api/v1/exhibitor/staff", "POST").route(post().to(exself::add_staff)))
        .service(
            resource("/api/v1/exhibitor/staff/{id}", "DELETE")
                .route(delete().to(exself::remove_staff)),
        )
        .service(resource("/api/v1/events/{slug}/checkins", "POST").route(post().to(checkin::scan)))
        .service(
            resource("/api/v1/events/{slug}/checkins/summary", "GET, HEAD")
                .route(get().to(checkin::summary)),
        )
        .service(
            resource("/events/{slug}/sessions/{id}/calendar.ics", "GET, HEAD")
                .route(get().to(schedule::pages::session_calendar)),
        )
        .service(
            resource("/events/{slug}/speakers/{id}", "GET, HEAD")
                .route(get().to(schedule::pages::speaker)),
        )
        .service(
            resource("/events/{slug}/bookings", "POST").route(post().to(regpages::visitor_booking)),
        )
        .service(
            resource("/events/{slug}/changes", "GET, HEAD")
                .route(get().to(schedule::pages::changes)),
        )
        .service(
            resource("/events/{slug}/exhibitors", "GET, HEAD").route(get().to(exhpages::directory)),
        )
        .service(
            resource("/events/{slug}/register", "GET, HEAD, POST")
                .route(get().to(regpages::register_form))
                .route(post().to(regpages::register_submit)),
        )
        .service(
            resource("/events/{slug}/exhibit", "GET, HEAD, POST")
                .route(get().to(exhpages::form))
                .route(post().to(exhpages::submit)),
        )
        .service(
            resource("/exhibitors/confirm/{token}", "GET, HEAD, POST")
                .route(get().to(exhpages::confirm_page))
                .route(post().to(exhpages::confirm_submit)),
        )
        .service(resource("/exhibitor/{token}", "GET, HEAD").route(get().to(exhpages::manage_page)))
        .service(
            resource("/exhibitor/{token}/profile", "POST")
                .route(post().to(exhpages::profile_submit)),
        )
        .service(
            resource("/exhibitor/{token}/withdraw", "POST")
                .route(post().to(exhpages::withdraw_submit)),
        )
        .service(
            resource("/exhibitor/{token}/staff", "POST").route(post().to(exhpages::staff_submit)),
        )
        .service(
            resource("/exhibitor/{token}/staff/{id}/remove", "POST")
                .route(post().to(exhpages::staff_remove)),
        )
        .service(
            resource("/confirm/{token}", "GET, HEAD, POST")
                .route(get().to(regpages::confirm_page))
                .route(post().to(regpages::confirm_submit)),
        )
        .service(
            resource("/confirm/{token}/mine", "GET, HEAD, POST")
                .route(get().to(regpages::used_link))
                .route(post().to(regpages::used_link_submit)),
        )
        .service(resource("/r/{token}", "GET, HEAD").route(get().to(regpages::attendee_page)))
        .service(resource("/r/{token}/cancel", "POST").route(post().to(regpages::attendee_cancel)))
        .service(
            resource("/r/{token}/details", "POST").route(post().to(regpages::attendee_details)),
        )
        .service(resource("/r/{token}/erase", "POST").route(post().to(regpages::attendee_erase)))
        .service(
            resource("/r/{token}/bookings", "POST").route(post().to(regpages::attendee_booking)),
        )
        .service(
            resource("/r/{token}/remember", "POST").route(post().to(regpages::attendee_remember)),
        )
        .service(resource("/r/{token}/badge", "GET, HEAD").route(get().to(regpages::badge_page)));
}
