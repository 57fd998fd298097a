//! Resources that belong to one event and share one shape of routes — rooms, tracks and
//! speakers (schedule), booths (exhibitors): a paged list, one item, create, update, delete.
//!
//! The shape is written once here. Reads are public for a published event (organizers, viewer
//! and up, also see drafts and what only they may see); writes need an editor and run in one
//! write transaction that locks the event, parse the body with every error reported at once,
//! and record an audit entry. A resource says only what differs, by implementing [`Child`],
//! and its module registers the five routes with [`routes`], which documents them too: the
//! OpenAPI operations are written once here, from the resource's types and paths.

use std::marker::PhantomData;

use actix_web::HttpResponse;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::service::{self, Change, Record};
use super::{store, Event};
use crate::db::{Conn, PageRequest};
use crate::domain::text::Check;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::routes::{Routes, Schemas};
use crate::web::{ItemPath, Reply, SlugPath, State};

/// What one kind of event child does differently.
pub trait Child: 'static {
    /// Singular, for the audit log (`room`).
    const NOUN: &'static str;
    /// The list's `sort` keys.
    const SORTS: &'static [&'static str];
    /// The OpenAPI tag of the five operations (`rooms`).
    const TAG: &'static str;
    /// The list's path (`/api/v1/events/{slug}/rooms`); one item is at `{LIST_PATH}/{id}`.
    const LIST_PATH: &'static str;
    /// Statuses a create or an update may answer besides the usual ones, and why.
    const WRITE_ERRORS: &'static [(&'static str, &'static str)] = &[];
    /// Statuses a delete may answer besides the usual ones, and why.
    const DELETE_ERRORS: &'static [(&'static str, &'static str)] = &[];
    type Row: Clone + Send + 'static;
    type Out: Serialize + ToSchema + Send + 'static;
    type New: DeserializeOwned + ToSchema + Send + 'static;
    type Patch: DeserializeOwned + ToSchema + Send + 'static;
    /// The columns a write stores, once checked.
    type Form: Send + 'static;
    /// The list's own query parameters besides paging (none: [`NoFilters`]).
    type Filters: DeserializeOwned + IntoParams + Send + 'static;

    fn id(row: &Self::Row) -> i64;

    /// One page of the event's children, every one of them, and how many there are.
    fn rows(c: &mut Conn, event: &Event, req: &PageRequest) -> AppResult<(Vec<Self::Row>, i64)>;

    /// One page of the event's children as `organizer` (or the public) may see them: every
    /// one, unless the resource hides some from the public or has filters.
    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        _: &Self::Filters,
        organizer: bool,
    ) -> AppResult<Page<Self::Out>> {
        let (rows, total) = Self::rows(c, event, req)?;
        let items = rows
            .into_iter()
            .map(|r| Self::out(c, r, organizer))
            .collect::<AppResult<_>>()?;
        Ok(Page::new(items, total, req))
    }

    /// One child, 404 when it is not the event's or not for the public's eyes.
    fn find(c: &mut Conn, event: &Event, id: i64, organizer: bool) -> AppResult<Self::Row>;

    /// What `organizer` (or the public) reads of a child.
    fn out(c: &mut Conn, row: Self::Row, organizer: bool) -> AppResult<Self::Out>;

    /// The parse step of a new child: every error goes to `check`; the form when it holds.
    fn new_form(body: Self::New, check: &mut Check) -> Option<Self::Form>;

    /// The parse step of a change to `row`, as [`Child::new_form`].
    fn patch_form(row: &Self::Row, patch: Self::Patch, check: &mut Check) -> Option<Self::Form>;

    fn insert(c: &mut Conn, event: &Event, form: &Self::Form) -> AppResult<Self::Row>;

    /// Overwrites the child `id` with `form`.
    fn update(c: &mut Conn, event: &Event, id: i64, form: &Self::Form) -> AppResult<Self::Row>;

    /// Deletes the child `id`, or refuses (409) while something depends on it.
    fn delete(c: &mut Conn, id: i64) -> AppResult<()>;
}

/// The filters of a list that has none (any other query parameter is ignored).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilters {}

/// The form a parse step made, once `check` found nothing wrong.
fn checked<F>(form: Option<F>, check: Check) -> AppResult<F> {
    check.done().map_err(AppError::Validation)?;
    form.ok_or_else(|| AppError::internal("a checked request left no form"))
}

pub async fn list<C: Child>(
    state: State,
    who: OptionalOrganizer,
    slug: SlugPath,
    params: Query<ListParams>,
    filters: Query<C::Filters>,
) -> Reply {
    let req = params.validate(C::SORTS)?;
    let organizer = who.can_view();
    let filters = filters.into_inner();
    let page = state
        .db
        .run(move |c| {
            let event = store::visible(c, &slug, organizer)?;
            C::page(c, &event, &req, &filters, organizer)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn get<C: Child>(state: State, who: OptionalOrganizer, path: ItemPath) -> Reply {
    let (slug, id) = path.into_inner();
    let organizer = who.can_view();
    let out = state
        .db
        .run(move |c| {
            let event = store::visible(c, &slug, organizer)?;
            let row = C::find(c, &event, id, organizer)?;
            C::out(c, row, organizer)
        })
        .await?;
    let mut res = HttpResponse::Ok();
    if organizer {
        res.insert_header((
            actix_web::http::header::ETAG,
            crate::web::etag(&version(&out)?),
        ));
    }
    Ok(res.json(out))
}

/// The version of a child as organizers read it: a hash of its representation, so that any
/// change to what they saw makes another (`ETag`, `If-Match`, the console's forms).
pub fn version_of<C: Child>(c: &mut Conn, row: &C::Row) -> AppResult<String> {
    version(&C::out(c, row.clone(), true)?)
}

fn version<T: Serialize>(out: &T) -> AppResult<String> {
    let bytes = serde_json::to_vec(out).map_err(anyhow::Error::from)?;
    Ok(crate::crypto::token_hash(&String::from_utf8_lossy(&bytes))[..16].to_string())
}

/// The child `id` of the locked event, 412 unless it is still at `expected` (none: any).
pub fn current<C: Child>(
    c: &mut Conn,
    event: &Event,
    id: i64,
    expected: Option<&str>,
) -> AppResult<C::Row> {
    let row = C::find(c, event, id, true)?;
    if let Some(expected) = expected {
        if version_of::<C>(c, &row)? != expected {
            return Err(AppError::PreconditionFailed(format!(
                "this {} was changed since the version named in If-Match",
                C::NOUN
            )));
        }
    }
    Ok(row)
}

pub async fn create<C: Child>(
    state: State,
    who: Organizer,
    slug: SlugPath,
    body: Json<C::New>,
) -> Reply {
    who.require(Role::Editor)?;
    let (body, check) = body.into_parts().await?;
    let out = service::change(&state.db, &who, slug.into_inner(), change::<C>("create"), {
        move |c, event| {
            let mut check = check;
            let form = C::new_form(body, &mut check);
            let row = C::insert(c, event, &checked(form, check)?)?;
            let id = C::id(&row);
            Ok((C::out(c, row, true)?, Record::of(id)))
        }
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn update<C: Child>(
    state: State,
    who: Organizer,
    req: actix_web::HttpRequest,
    path: ItemPath,
    body: Json<C::Patch>,
) -> Reply {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let (patch, check) = body.into_parts().await?;
    let expected = crate::web::if_match(&req);
    let out = service::change(&state.db, &who, slug, change::<C>("update"), {
        move |c, event| {
            let row = current::<C>(c, event, id, expected.as_deref())?;
            let mut check = check;
            let form = C::patch_form(&row, patch, &mut check);
            let row = C::update(c, event, id, &checked(form, check)?)?;
            Ok((C::out(c, row, true)?, Record::of(id)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn delete<C: Child>(
    state: State,
    who: Organizer,
    req: actix_web::HttpRequest,
    path: ItemPath,
) -> Reply {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let expected = crate::web::if_match(&req);
    service::change(&state.db, &who, slug, change::<C>("delete"), {
        move |c, event| {
            current::<C>(c, event, id, expected.as_deref())?;
            C::delete(c, id)?;
            Ok(((), Record::of(id)))
        }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit entry of a change to a `C`.
fn change<C: Child>(action: &'static str) -> Change {
    Change::new(action, C::NOUN)
}

/// Registers the five routes of a [`Child`], documented.
pub fn routes<C: Child>(r: &mut Routes) {
    r.list(Doc::<C>::op(Op::List), list::<C>, C::SORTS)
        .add(Doc::<C>::op(Op::Create), create::<C>)
        .add(Doc::<C>::op(Op::Get), get::<C>)
        .add(Doc::<C>::op(Op::Update), update::<C>)
        .add(Doc::<C>::op(Op::Delete), delete::<C>);
}

/// Why a write answers 412.
const STALE: &str = "`If-Match` names a version this resource no longer has";

/// The five operations of a child resource.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Op {
    List,
    Get,
    Create,
    Update,
    Delete,
}

/// The OpenAPI documentation of one operation of `C` (what `#[utoipa::path]` writes for a
/// handler, written here once for every child resource).
pub struct Doc<C: Child> {
    op: Op,
    child: PhantomData<C>,
}

impl<C: Child> Doc<C> {
    pub fn op(op: Op) -> Self {
        Doc {
            op,
            child: PhantomData,
        }
    }
}

impl<C: Child> crate::web::routes::Documented for Doc<C> {
    fn path(&self) -> String {
        match self.op {
            Op::List | Op::Create => C::LIST_PATH.to_string(),
            Op::Get | Op::Update | Op::Delete => format!("{}/{{id}}", C::LIST_PATH),
        }
    }

    fn methods(&self) -> Vec<HttpMethod> {
        vec![match self.op {
            Op::List | Op::Get => HttpMethod::Get,
            Op::Create => HttpMethod::Post,
            Op::Update => HttpMethod::Patch,
            Op::Delete => HttpMethod::Delete,
        }]
    }

    fn operation(&self) -> Operation {
        let (id, body): (_, Option<RefOr<Schema>>) = match self.op {
            Op::List => (
                "list",
                Some(RefOr::Ref(Ref::from_schema_name(page_name::<C::Out>()))),
            ),
            Op::Get => ("get", Some(named::<C::Out>())),
            Op::Create => ("create", Some(named::<C::Out>())),
            Op::Update => ("update", Some(named::<C::Out>())),
            Op::Delete => ("delete", None),
        };
        let mut ok = ResponseBuilder::new().description("");
        if let Some(schema) = body {
            ok = ok.content(
                "application/json",
                ContentBuilder::new().schema(Some(schema)).build(),
            );
        }
        let mut operation = OperationBuilder::new()
            .tag(C::TAG)
            .operation_id(Some(id))
            .parameter(path_parameter("slug", Type::String))
            .response(ok_status(self.op), ok.build());
        if self.op != Op::List && self.op != Op::Create {
            let mut id = path_parameter("id", Type::Integer);
            id.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .into(),
            );
            operation = operation.parameter(id);
        }
        if matches!(self.op, Op::Update | Op::Delete) {
            let tag = ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("the ETag of the GET this write is based on"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build();
            operation = operation.parameter(tag);
        }
        let errors: &[(&str, &str)] = match self.op {
            Op::List => &[("404", ""), ("422", "")],
            Op::Get => &[("404", "")],
            Op::Create => &[("401", ""), ("403", ""), ("404", ""), ("422", "")],
            Op::Update => &[
                ("401", ""),
                ("403", ""),
                ("404", ""),
                ("412", STALE),
                ("422", ""),
            ],
            Op::Delete => &[("401", ""), ("403", ""), ("404", ""), ("412", STALE)],
        };
        let extra = match self.op {
            Op::Create | Op::Update => C::WRITE_ERRORS,
            Op::Delete => C::DELETE_ERRORS,
            Op::List | Op::Get => &[],
        };
        for (status, why) in errors.iter().chain(extra) {
            operation =
                operation.response(*status, ResponseBuilder::new().description(*why).build());
        }
        match self.op {
            Op::List => {
                operation = operation
                    .parameters(Some(ListParams::into_params(|| Some(ParameterIn::Query))))
                    .parameters(Some(C::Filters::into_params(|| Some(ParameterIn::Query))));
            }
            Op::Get => {}
            Op::Create | Op::Update | Op::Delete => {
                if self.op != Op::Delete {
                    let input = if self.op == Op::Create {
                        C::New::name()
                    } else {
                        C::Patch::name()
                    };
                    let content = ContentBuilder::new()
                        .schema(Some(RefOr::<Schema>::Ref(Ref::from_schema_name(input))))
                        .build();
                    operation = operation.request_body(Some(
                        RequestBodyBuilder::new()
                            .content("application/json", content)
                            .required(Some(Required::True))
                            .build(),
                    ));
                }
                operation =
                    operation.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
            }
        }
        operation.build()
    }

    fn schemas(&self, schemas: &mut Schemas) {
        fn add<T: ToSchema>(schemas: &mut Schemas) {
            schemas.push((T::name().to_string(), T::schema()));
            T::schemas(schemas);
        }
        add::<C::Out>(schemas);
        if self.op == Op::List {
            schemas.push((page_name::<C::Out>(), Page::<C::Out>::schema()));
        }
        match self.op {
            Op::Create => add::<C::New>(schemas),
            Op::Update => add::<C::Patch>(schemas),
            _ => {}
        }
    }
}

fn ok_status(op: Op) -> &'static str {
    match op {
        Op::Create => "201",
        Op::Delete => "204",
        _ => "200",
    }
}

/// The name of a page of `T`s' schema, as utoipa names a generic's (`Page_RoomOut`).
fn page_name<T: ToSchema>() -> String {
    format!("Page_{}", T::name())
}

/// A reference to `T`'s schema by name.
fn named<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// A required path parameter.
fn path_parameter(name: &str, kind: Type) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(ObjectBuilder::new().schema_type(kind)))
        .build()
}
