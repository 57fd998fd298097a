//! Every route, in one table. Each path is one resource whose unknown methods answer 405
//! problem+json; `tests/api/openapi.rs` checks that each of these is in the OpenAPI document.

use actix_web::web::{self, delete, get, patch, post, put};
use actix_web::Resource;

use crate::{audit, auth, email, events, registrations, schedule};

fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(super::method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use events::{handlers as ev, rooms};
    use registrations::{attendee, handlers as reg, organizer as regorg, pages as regpages};
    use schedule::{conflicts, releases, sessions, speakers, tracks};
    cfg.service(resource("/healthz").route(get().to(super::health::healthz)))
        .service(resource("/readyz").route(get().to(super::health::readyz)))
        .service(resource("/metrics").route(get().to(super::health::metrics)))
        .service(resource("/api/v1/openapi.json").route(get().to(super::openapi::document)))
        .service(resource("/api/v1/docs").route(get().to(super::openapi::page)))
        .service(resource("/api/v1/auth/tokens").route(post().to(auth::handlers::create_token)))
        .service(
            resource("/api/v1/auth/tokens/{id}").route(delete().to(auth::handlers::revoke_token)),
        )
        .service(resource("/api/v1/organizers").route(post().to(auth::handlers::create_organizer)))
        .service(resource("/api/v1/audit").route(get().to(audit::list_all)))
        .service(
            resource("/api/v1/events")
                .route(get().to(ev::list))
                .route(post().to(ev::create)),
        )
        .service(
            resource("/api/v1/events/{slug}")
                .route(get().to(ev::get))
                .route(patch().to(ev::update)),
        )
        .service(resource("/api/v1/events/{slug}/publish").route(post().to(ev::publish)))
        .service(resource("/api/v1/events/{slug}/audit").route(get().to(audit::list_for_event)))
        .service(
            resource("/api/v1/events/{slug}/rooms")
                .route(get().to(rooms::list))
                .route(post().to(rooms::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/rooms/{id}")
                .route(get().to(rooms::get))
                .route(patch().to(rooms::update))
                .route(delete().to(rooms::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/tracks")
                .route(get().to(tracks::list))
                .route(post().to(tracks::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/tracks/{id}")
                .route(get().to(tracks::get))
                .route(patch().to(tracks::update))
                .route(delete().to(tracks::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/speakers")
                .route(get().to(speakers::list))
                .route(post().to(speakers::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/speakers/{id}")
                .route(get().to(speakers::get))
                .route(patch().to(speakers::update))
                .route(delete().to(speakers::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/sessions")
                .route(get().to(sessions::list))
                .route(post().to(sessions::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/sessions/{id}")
                .route(get().to(sessions::get))
                .route(patch().to(sessions::update))
                .route(delete().to(sessions::delete)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule").route(get().to(releases::public_schedule)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule/conflicts").route(get().to(conflicts::report)),
        )
        .service(
            resource("/api/v1/events/{slug}/schedule/releases")
                .route(get().to(releases::list))
                .route(post().to(releases::create)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations")
                .route(get().to(regorg::list))
                .route(post().to(reg::register)),
        )
        .service(resource("/api/v1/events/{slug}/registrations.csv").route(get().to(regorg::csv)))
        .service(
            resource("/api/v1/events/{slug}/registrations/{id}")
                .route(patch().to(regorg::update))
                .route(delete().to(regorg::erase)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations/{id}/resend")
                .route(post().to(regorg::resend)),
        )
        .service(
            resource("/api/v1/events/{slug}/registrations/{id}/badge")
                .route(get().to(regorg::badge)),
        )
        .service(resource("/api/v1/registrations/confirm").route(post().to(reg::confirm)))
        .service(
            resource("/api/v1/me")
                .route(get().to(attendee::get))
                .route(delete().to(attendee::cancel)),
        )
        .service(resource("/api/v1/me/erase").route(post().to(attendee::erase)))
        .service(resource("/api/v1/events/{slug}/emails").route(get().to(email::handlers::list)))
        .service(
            resource("/api/v1/events/{slug}/emails/{id}/retry")
                .route(post().to(email::handlers::retry)),
        )
        .service(
            resource("/api/v1/events/{slug}/email-templates/{kind}/{lang}")
                .route(get().to(email::handlers::get_template))
                .route(put().to(email::handlers::put_template)),
        )
        .service(resource("/events/{slug}").route(get().to(super::pages::programme)))
        .service(
            resource("/confirm/{token}")
                .route(get().to(regpages::confirm_page))
                .route(post().to(regpages::confirm_submit)),
        )
        .service(resource("/r/{token}").route(get().to(regpages::attendee_page)))
        .service(resource("/r/{token}/cancel").route(post().to(regpages::attendee_cancel)))
        .service(resource("/r/{token}/badge").route(get().to(regpages::badge_page)));
}
