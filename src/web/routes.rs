//! Routes and their OpenAPI paths, registered together.
//!
//! A handler is documented by its `#[utoipa::path(method, path = "…")]`, which also names the
//! path and the method it is served at. [`Routes::add`] takes that documentation (the
//! `__path_<handler>` struct utoipa generates) with the handler, so a route is written once, in
//! its area's edge file, next to the handler:
//!
//! ```ignore
//! pub fn routes(r: &mut Routes) {
//!     r.add(__path_list, list).add(__path_create, create);
//! }
//! ```
//!
//! The app collects every area's routes into one [`Routes`], mounts it in each worker
//! ([`Routes::mount`]) and builds the OpenAPI document from the same value
//! ([`Routes::document`]): nothing is served undocumented, nothing documented goes unserved.
//!
//! Each path becomes one actix resource, in the order its first route was added (actix tries
//! resources in order, so the app adds the hottest public reads first). A method the path does
//! not take answers 405 with `Allow`; `HEAD` is answered wherever `GET` is
//! (`web::head_as_get`).

use std::rc::Rc;

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Responder};
use utoipa::openapi::path::{HttpMethod, Operation, PathItem, Paths, PathsBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

/// The schemas an operation refers to, collected as utoipa's derive collects them.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// The OpenAPI documentation of a route: where it is served and its operation.
pub trait Documented: 'static {
    fn path(&self) -> String;
    fn methods(&self) -> Vec<HttpMethod>;
    fn operation(&self) -> Operation;
    /// Pushes the schemas the operation refers to.
    fn schemas(&self, schemas: &mut Schemas);
}

/// Every `#[utoipa::path]` handler's documentation (its `__path_<handler>` struct), as utoipa
/// writes it. Its tags and schemas come through `utoipa::__dev`, the interface utoipa's own
/// generated code and `utoipa-actix-web` use; it is hidden from utoipa's docs, so an upgrade of
/// utoipa is checked by `tests/api/openapi.rs` (served and documented routes agree) and by
/// comparing the document with the one before.
impl<P> Documented for P
where
    P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t> + 'static,
{
    fn path(&self) -> String {
        P::path()
    }
    fn methods(&self) -> Vec<HttpMethod> {
        P::methods()
    }
    fn operation(&self) -> Operation {
        let mut operation = P::operation();
        let tags = <P as utoipa::__dev::Tags>::tags();
        if !tags.is_empty() {
            let own = operation.tags.get_or_insert_with(Vec::new);
            own.extend(tags.into_iter().map(str::to_string));
        }
        operation
    }
    fn schemas(&self, schemas: &mut Schemas) {
        <P as utoipa::__dev::SchemaReferences>::schemas(schemas)
    }
}

/// One route: its method, the actix route, its documentation and, for a list, its sort keys.
struct Entry {
    method: HttpMethod,
    route: actix_web::Route,
    doc: Rc<dyn Documented>,
    sorts: Option<&'static [&'static str]>,
}

/// The routes of the application, grouped by path in the order they were added.
#[derive(Default)]
pub struct Routes {
    paths: Vec<(String, Vec<Entry>)>,
}

impl Routes {
    /// Serves `handler` at the path and method its documentation `doc` names.
    pub fn add<F, Args>(&mut self, doc: impl Documented, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.push(Rc::new(doc), &|m| web::method(m).to(handler.clone()), None)
    }

    /// [`Routes::add`] for a paged list (`web::list::ListParams`): the document narrows its
    /// `sort` parameter to `sorts` and their `-` (descending) forms, so that a client knows what
    /// the server takes.
    pub fn list<F, Args>(
        &mut self,
        doc: impl Documented,
        handler: F,
        sorts: &'static [&'static str],
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.push(
            Rc::new(doc),
            &|m| web::method(m).to(handler.clone()),
            Some(sorts),
        )
    }

    /// Adds `doc`'s routes, each made by `route` for its method.
    fn push(
        &mut self,
        doc: Rc<dyn Documented>,
        route: &dyn Fn(Method) -> actix_web::Route,
        sorts: Option<&'static [&'static str]>,
    ) -> &mut Self {
        let path = doc.path();
        for method in doc.methods() {
            let entry = Entry {
                route: route(actix_method(&method)),
                method,
                doc: doc.clone(),
                sorts,
            };
            match self.paths.iter_mut().find(|(p, _)| *p == path) {
                Some((_, entries)) => entries.push(entry),
                None => self.paths.push((path.clone(), vec![entry])),
            }
        }
        self
    }

    /// The served paths and, for each, its methods as `Allow` lists them.
    pub fn served(&self) -> Vec<(String, String)> {
        self.paths
            .iter()
            .map(|(path, entries)| (path.clone(), allow(entries)))
            .collect()
    }

    /// Mounts every route, one resource per path.
    pub fn mount(self, cfg: &mut web::ServiceConfig) {
        for (path, entries) in self.paths {
            let allow = HeaderValue::from_str(&allow(&entries)).expect("method names are ASCII");
            let mut resource = web::resource(path)
                .default_service(web::to(move || super::method_not_allowed(allow.clone())));
            for entry in entries {
                resource = resource.route(entry.route);
            }
            cfg.service(resource);
        }
    }

    /// The document's paths and the schemas they use.
    ///
    /// # Panics
    /// When an operation takes `?sort=` but was not added with [`Routes::list`]: the tests
    /// build the document, so a new list cannot go undocumented.
    pub fn document(&self) -> (Paths, Schemas) {
        let mut schemas = Schemas::new();
        let mut paths = PathsBuilder::new();
        for (path, entries) in &self.paths {
            for entry in entries {
                let mut operation = entry.doc.operation();
                narrow_sort(path, &mut operation, entry.sorts);
                entry.doc.schemas(&mut schemas);
                paths = paths.path(path, PathItem::new(entry.method.clone(), operation));
            }
        }
        (paths.build(), schemas)
    }
}

/// Narrows a list's `sort` parameter to its keys, ascending and descending.
fn narrow_sort(path: &str, operation: &mut Operation, sorts: Option<&[&str]>) {
    let Some(sort) = operation
        .parameters
        .iter_mut()
        .flatten()
        .find(|p| p.name == "sort")
    else {
        return;
    };
    let Some(keys) = sorts else {
        panic!("{path} takes ?sort= but was not added with Routes::list and its sort keys");
    };
    let values: Vec<String> = keys
        .iter()
        .flat_map(|k| [k.to_string(), format!("-{k}")])
        .collect();
    sort.schema = Some(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .into(),
    );
}

/// The methods of a path as `Allow` lists them: `HEAD` with `GET`, in a fixed order.
fn allow(entries: &[Entry]) -> String {
    const ORDER: [HttpMethod; 6] = [
        HttpMethod::Get,
        HttpMethod::Head,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
    ];
    let has = |m: &HttpMethod| {
        entries
            .iter()
            .any(|e| e.method == *m || (*m == HttpMethod::Head && e.method == HttpMethod::Get))
    };
    ORDER
        .iter()
        .filter(|m| has(m))
        .map(|m| actix_method(m).as_str().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn actix_method(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}
