//! Resources that belong to one event and share one shape of routes — rooms, tracks and
//! speakers (schedule), booths (exhibitors): a paged list, one item, create, update, delete.
//!
//! The shape is written once here. Reads are public for a published event (organizers, viewer
//! and up, also see drafts and what only they may see); writes need an editor and run in one
//! write transaction that locks the event, parse the body with every error reported at once,
//! and record an audit entry. A resource says only what differs, by implementing [`Child`];
//! its module then declares its five routes with [`child_routes!`], which also documents them
//! in the OpenAPI document.

use actix_web::{web, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{queries, Event};
use crate::audit;
use crate::db::{Conn, PageRequest};
use crate::domain::text::Check;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::AppState;

/// What one kind of event child does differently.
pub trait Child: 'static {
    /// Singular, for the audit log (`room`).
    const NOUN: &'static str;
    /// The list's `sort` keys.
    const SORTS: &'static [&'static str];
    type Row: Send + 'static;
    type Out: Serialize + Send + 'static;
    type New: DeserializeOwned + Send + 'static;
    type Patch: DeserializeOwned + Send + 'static;
    /// The list's own query parameters besides paging (none: [`NoFilters`]).
    type Filters: DeserializeOwned + Send + 'static;

    fn id(row: &Self::Row) -> i64;

    /// One page of the event's children as `organizer` (or the public) may see them.
    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        filters: &Self::Filters,
        organizer: bool,
    ) -> AppResult<Page<Self::Out>>;

    /// One child, 404 when it is not the event's or not for the public's eyes.
    fn find(c: &mut Conn, event: &Event, id: i64, organizer: bool) -> AppResult<Self::Row>;

    fn out(c: &mut Conn, row: Self::Row, organizer: bool) -> AppResult<Self::Out>;

    /// The columns a write stores, once checked.
    type Form: Send + 'static;

    /// The parse step of a new child: every error goes to `check`; the form when it holds.
    fn new_form(
        c: &mut Conn,
        event: &Event,
        body: Self::New,
        check: &mut Check,
    ) -> AppResult<Option<Self::Form>>;

    /// The parse step of a change to `row`, as [`Child::new_form`].
    fn patch_form(
        c: &mut Conn,
        event: &Event,
        row: &Self::Row,
        patch: Self::Patch,
        check: &mut Check,
    ) -> AppResult<Option<Self::Form>>;

    fn insert(c: &mut Conn, event: &Event, form: &Self::Form) -> AppResult<Self::Row>;

    fn update(
        c: &mut Conn,
        event: &Event,
        row: Self::Row,
        form: &Self::Form,
    ) -> AppResult<Self::Row>;

    /// Deletes `row`, or refuses (409) while something depends on it.
    fn delete(c: &mut Conn, event: &Event, row: Self::Row) -> AppResult<()>;
}

/// The form a parse step made, once `check` found nothing wrong.
fn checked<F>(form: Option<F>, check: Check) -> AppResult<F> {
    check.done().map_err(AppError::Validation)?;
    form.ok_or_else(|| AppError::internal("a checked request left no form"))
}

/// The filters of a list that has none (any other query parameter is ignored).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilters {}

pub async fn list<C: Child>(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    params: Query<ListParams>,
    filters: Query<C::Filters>,
) -> AppResult<HttpResponse> {
    let req = params.validate(C::SORTS)?;
    let organizer = who.can_view();
    let filters = filters.into_inner();
    let page = state
        .db
        .run(move |c| {
            let event = queries::visible(c, &slug, organizer)?;
            C::page(c, &event, &req, &filters, organizer)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn get<C: Child>(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let organizer = who.can_view();
    let out = state
        .db
        .run(move |c| {
            let event = queries::visible(c, &slug, organizer)?;
            let row = C::find(c, &event, id, organizer)?;
            C::out(c, row, organizer)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn create<C: Child>(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    body: Json<C::New>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (body, check) = body.into_parts().await?;
    let out = state
        .db
        .write(move |c| {
            let event = queries::lock(c, &slug)?;
            let mut check = check;
            let form = C::new_form(c, &event, body, &mut check)?;
            let row = C::insert(c, &event, &checked(form, check)?)?;
            let id = C::id(&row);
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                C::NOUN,
                Some(id),
                serde_json::json!({}),
            )?;
            C::out(c, row, true)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn update<C: Child>(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    body: Json<C::Patch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let (patch, check) = body.into_parts().await?;
    let out = state
        .db
        .write(move |c| {
            let event = queries::lock(c, &slug)?;
            let row = C::find(c, &event, id, true)?;
            let mut check = check;
            let form = C::patch_form(c, &event, &row, patch, &mut check)?;
            let row = C::update(c, &event, row, &checked(form, check)?)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                C::NOUN,
                Some(id),
                serde_json::json!({}),
            )?;
            C::out(c, row, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn delete<C: Child>(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |c| {
            let event = queries::lock(c, &slug)?;
            let row = C::find(c, &event, id, true)?;
            C::delete(c, &event, row)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "delete",
                C::NOUN,
                Some(id),
                serde_json::json!({}),
            )
            .map_err(Into::into)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Declares the five routes of a [`Child`] in the module that invokes it — `list`, `get`,
/// `create`, `update`, `delete`, each documented for the OpenAPI document — so that
/// `app/routes.rs` mounts them by name like any other handler. `extra` lists the statuses a
/// resource adds (e.g. `(status = 409, description = "…")` for a delete that can be refused).
#[macro_export]
macro_rules! child_routes {
    (
        $child:ty, tag = $tag:literal, list = $list:literal, item = $item:literal,
        new = $new:ty, patch = $patch:ty, out = $out:ty, filters = $filters:ty,
        write_errors = [$($werr:tt),*], delete_errors = [$($derr:tt),*]
    ) => {
        /// The sort keys of the list (named in the OpenAPI document by `app::openapi`).
        pub const SORTS: &[&str] = <$child as $crate::events::children::Child>::SORTS;

        #[utoipa::path(get, path = $list, tag = $tag,
            params(("slug" = String, Path), $crate::web::list::ListParams, $filters),
            responses((status = 200, body = $crate::web::list::Page<$out>), (status = 404), (status = 422)))]
        pub async fn list(
            state: actix_web::web::Data<$crate::web::AppState>,
            who: $crate::web::identity::OptionalOrganizer,
            slug: actix_web::web::Path<String>,
            params: $crate::web::query::Query<$crate::web::list::ListParams>,
            filters: $crate::web::query::Query<$filters>,
        ) -> $crate::error::AppResult<actix_web::HttpResponse> {
            $crate::events::children::list::<$child>(state, who, slug, params, filters).await
        }

        #[utoipa::path(get, path = $item, tag = $tag,
            params(("slug" = String, Path), ("id" = i64, Path)),
            responses((status = 200, body = $out), (status = 404)))]
        pub async fn get(
            state: actix_web::web::Data<$crate::web::AppState>,
            who: $crate::web::identity::OptionalOrganizer,
            path: actix_web::web::Path<(String, i64)>,
        ) -> $crate::error::AppResult<actix_web::HttpResponse> {
            $crate::events::children::get::<$child>(state, who, path).await
        }

        #[utoipa::path(post, path = $list, tag = $tag,
            params(("slug" = String, Path)), request_body = $new,
            responses((status = 201, body = $out), (status = 401), (status = 403), (status = 404), (status = 422) $(, $werr)*),
            security(("bearer" = [])))]
        pub async fn create(
            state: actix_web::web::Data<$crate::web::AppState>,
            who: $crate::web::identity::Organizer,
            slug: actix_web::web::Path<String>,
            body: $crate::web::json::Json<$new>,
        ) -> $crate::error::AppResult<actix_web::HttpResponse> {
            $crate::events::children::create::<$child>(state, who, slug, body).await
        }

        #[utoipa::path(patch, path = $item, tag = $tag,
            params(("slug" = String, Path), ("id" = i64, Path)), request_body = $patch,
            responses((status = 200, body = $out), (status = 401), (status = 403), (status = 404), (status = 422) $(, $werr)*),
            security(("bearer" = [])))]
        pub async fn update(
            state: actix_web::web::Data<$crate::web::AppState>,
            who: $crate::web::identity::Organizer,
            path: actix_web::web::Path<(String, i64)>,
            body: $crate::web::json::Json<$patch>,
        ) -> $crate::error::AppResult<actix_web::HttpResponse> {
            $crate::events::children::update::<$child>(state, who, path, body).await
        }

        #[utoipa::path(delete, path = $item, tag = $tag,
            params(("slug" = String, Path), ("id" = i64, Path)),
            responses((status = 204), (status = 401), (status = 403), (status = 404) $(, $derr)*),
            security(("bearer" = [])))]
        pub async fn delete(
            state: actix_web::web::Data<$crate::web::AppState>,
            who: $crate::web::identity::Organizer,
            path: actix_web::web::Path<(String, i64)>,
        ) -> $crate::error::AppResult<actix_web::HttpResponse> {
            $crate::events::children::delete::<$child>(state, who, path).await
        }
    };
}
