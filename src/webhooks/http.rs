//! The webhooks API (SPEC §4.5), for admins: `…/events/{slug}/webhooks` to register and list
//! endpoints, `…/webhooks/{id}` to read, change and delete one, `…/rotate` for a new secret,
//! `…/deliveries` to read what was sent and `…/deliveries/{delivery_id}/replay` to send one
//! again. The secret is in the answer of the creation and of a rotation only.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{DeliveryOut, EventType, WebhookOut, WebhookRow, WebhookWithSecret};
use super::service::{self, Admin};
use super::store;
use crate::db::Conn;
use crate::domain::Role;
use crate::error::AppResult;
use crate::events::handlers::FairList;
use crate::events::Event;
use crate::web::identity::Organizer;
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::{ItemPath, Reply, SlugPath, State};

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: `https://` (or `http://`), resolving to public addresses
    /// only unless the server sets `webhooks.allow_private`.
    #[schema(
        required = true,
        nullable = false,
        max_length = 2000,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://",
        example = "https://crm.example.com/hooks/salon"
    )]
    pub url: Option<String>,
    /// The types it receives; at least one.
    #[schema(required = true, nullable = false, min_items = 1)]
    pub event_types: Option<Vec<EventType>>,
    /// Default true.
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// A change to an endpoint: the members sent replace the stored ones. Enabling an endpoint
/// Salon disabled clears its `disabled_reason`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[schema(
        nullable = false,
        max_length = 2000,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    pub url: Option<String>,
    #[schema(nullable = false, min_items = 1)]
    pub event_types: Option<Vec<EventType>>,
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// Organizer `by` acting on the fair `slug` (drafts too).
fn acting(c: &mut Conn, slug: &str, by: i64) -> AppResult<Admin> {
    Ok(Admin {
        by,
        event_id: crate::events::store::visible(c, slug, true)?.id,
    })
}

/// Runs `write` for `who`, an admin (403 below), on the fair `slug`, in one write transaction.
async fn admin_write<T: Send + 'static>(
    state: &State,
    who: &Organizer,
    slug: String,
    write: impl FnOnce(&mut Conn, Admin) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    who.require(Role::Admin)?;
    let by = who.id;
    state
        .db
        .write(move |c| {
            let admin = acting(c, &slug, by)?;
            write(c, admin)
        })
        .await
}

/// The fair `slug` (drafts too) and its endpoint `id`.
fn endpoint(c: &mut Conn, slug: &str, id: i64) -> AppResult<(Event, WebhookRow)> {
    let event = crate::events::store::visible(c, slug, true)?;
    let row = service::find(c, event.id, id)?;
    Ok((event, row))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/webhooks", tag = "webhooks",
    params(("slug" = String, Path)),
    request_body = NewWebhook,
    responses((status = 201, body = WebhookWithSecret, description = "registered; the secret is shown only here and after a rotation"),
        (status = 401), (status = 403), (status = 404), (status = 422, description = "a member is missing or wrong, or the URL resolves to a private address")),
    security(("bearer" = [])))]
pub async fn create(state: State, who: Organizer, slug: SlugPath, body: Json<NewWebhook>) -> Reply {
    who.require(Role::Admin)?;
    let (body, check) = body.into_parts().await?;
    let form = service::checked(
        &state.settings,
        check,
        body.url,
        body.event_types,
        body.enabled.unwrap_or(true),
        None,
    )
    .await?;
    let slug = slug.into_inner();
    let created = admin_write(&state, &who, slug, move |c, admin| {
        service::create(c, admin, &form)
    });
    Ok(HttpResponse::Created().json(WebhookWithSecret::from(created.await?)))
}

/// The sort keys of the webhook list.
pub const SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/webhooks", tag = "webhooks",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<WebhookOut>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(list: FairList) -> Reply {
    list.answer(Role::Admin, SORTS, |c, event, req, _| {
        let mut all: Vec<WebhookOut> = store::of_event(c, event.id)?
            .iter()
            .map(WebhookOut::from)
            .collect();
        if req.sort.as_ref().is_some_and(|(_, desc)| *desc) {
            all.reverse();
        }
        Ok(Page::from_vec(all, req))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/webhooks/{id}", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = WebhookOut), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn get(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Admin)?;
    let (slug, id) = path.into_inner();
    let out = state
        .db
        .run(move |c| Ok(WebhookOut::from(&endpoint(c, &slug, id)?.1)))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/webhooks/{id}", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body = WebhookPatch,
    responses((status = 200, body = WebhookOut), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "a member is wrong, or the URL resolves to a private address")),
    security(("bearer" = [])))]
pub async fn update(
    state: State,
    who: Organizer,
    path: ItemPath,
    body: Json<WebhookPatch>,
) -> Reply {
    who.require(Role::Admin)?;
    let (slug, id) = path.into_inner();
    let (body, check) = body.into_parts().await?;
    let (s, i) = (slug.clone(), id);
    let current = state.db.run(move |c| Ok(endpoint(c, &s, i)?.1)).await?;
    let form = service::checked(
        &state.settings,
        check,
        Some(body.url.unwrap_or_else(|| current.url.clone())),
        Some(body.event_types.unwrap_or_else(|| current.types())),
        body.enabled.unwrap_or(current.enabled),
        Some(&current.url),
    )
    .await?;
    let row = admin_write(&state, &who, slug, move |c, admin| {
        service::update(c, admin, id, &form)
    });
    Ok(HttpResponse::Ok().json(WebhookOut::from(&row.await?)))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/webhooks/{id}", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "deleted, with its deliveries"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn delete(state: State, who: Organizer, path: ItemPath) -> Reply {
    let (slug, id) = path.into_inner();
    admin_write(&state, &who, slug, move |c, admin| {
        service::delete(c, admin, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/webhooks/{id}/rotate", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = WebhookWithSecret, description = "a new secret; the old one keeps signing beside it for 24 hours"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn rotate(state: State, who: Organizer, path: ItemPath) -> Reply {
    let (slug, id) = path.into_inner();
    let rotated = admin_write(&state, &who, slug, move |c, admin| {
        service::rotate(c, admin, id)
    });
    Ok(HttpResponse::Ok().json(WebhookWithSecret::from(rotated.await?)))
}

/// The sort keys of the deliveries (newest first by default).
pub const DELIVERY_SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/webhooks/{id}/deliveries", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path), ListParams),
    responses((status = 200, body = Page<DeliveryOut>, description = "newest first, each with its attempts"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn deliveries(
    state: State,
    who: Organizer,
    path: ItemPath,
    params: Query<ListParams>,
) -> Reply {
    who.require(Role::Admin)?;
    let req = params.validate(DELIVERY_SORTS)?;
    let (slug, id) = path.into_inner();
    let page = state
        .db
        .run(move |c| {
            let (_, row) = endpoint(c, &slug, id)?;
            let (items, total) = service::deliveries(c, row.id, &req)?;
            Ok(Page::new(items, total, &req))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    params(("slug" = String, Path), ("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 202, description = "queued again, due now, with the same webhook-id"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the webhook is disabled, or the delivery is being sent")),
    security(("bearer" = [])))]
pub async fn replay(state: State, who: Organizer, path: web::Path<(String, i64, i64)>) -> Reply {
    let (slug, id, delivery_id) = path.into_inner();
    admin_write(&state, &who, slug, move |c, admin| {
        service::replay(c, admin, id, delivery_id)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"status": "pending"})))
}

pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS)
        .add(__path_create, create)
        .add(__path_get, get)
        .add(__path_update, update)
        .add(__path_delete, delete)
        .add(__path_rotate, rotate)
        .list(__path_deliveries, deliveries, DELIVERY_SORTS)
        .add(__path_replay, replay);
}
