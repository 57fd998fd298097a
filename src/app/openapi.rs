//! The OpenAPI document at `/api/v1/openapi.json`, and `/api/v1/docs`, a self-contained page
//! that renders it (no assets fetched at build or run time).

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{email, error, exhibitors, schedule};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Operation ids come from handler names, and many areas name theirs `list`, `get`, `create`…
/// OpenAPI wants them unique (client generators name methods after them), so each becomes
/// `{tag}_{handler}` (`booths_list`), or `{method}_{path}` when even that repeats.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::HashMap;
        let tagged = |op: &utoipa::openapi::path::Operation| {
            let id = op.operation_id.clone().unwrap_or_default();
            match op.tags.as_ref().and_then(|t| t.first()) {
                Some(tag) if !id.starts_with(&format!("{tag}_")) => format!("{tag}_{id}"),
                _ => id,
            }
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for item in openapi.paths.paths.values() {
            for op in operations(item) {
                *seen.entry(tagged(op)).or_default() += 1;
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                let id = tagged(op);
                op.operation_id = Some(if seen[&id] == 1 {
                    id
                } else {
                    let words: Vec<&str> = path
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .filter(|w| !w.is_empty() && *w != "api" && *w != "v1")
                        .collect();
                    format!("{method}_{}", words.join("_"))
                });
            }
        }
    }
}

/// Every error of the API is RFC 9457 problem+json (SPEC §7), and the edge answers some
/// statuses before a handler runs: 400/413/415/422 for a body, 422 for a query, 404 for a path
/// parameter that does not parse, 401/403 for a token, 429 for a public POST. This documents
/// each of them, with the `Problem` schema, on every API operation (the HTML pages answer
/// their errors as pages and keep their own descriptions).
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build()
        };
        let describe = |status: &str| match status {
            "400" => "the body is not JSON (truncated, trailing bytes)",
            "401" => "no valid token",
            "403" => "the token's role may not do this",
            "404" => "no such resource",
            "409" => "conflicts with the current state",
            "410" => "gone",
            "413" => "the body is over `server.max_body`",
            "415" => "the body is not of a type this route reads",
            "422" => "a member or parameter is wrong; every one is named in `errors`",
            "429" => "too many requests from this address; see `Retry-After`",
            "503" => "busy; see `Retry-After`",
            _ => "an error",
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                let is_page = op
                    .tags
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| t == "pages"));
                if is_page || is_console(op) {
                    page_responses(op);
                }
                if is_page {
                    continue;
                }
                let mut wanted: Vec<&str> = Vec::new();
                if path.contains('{') {
                    wanted.push("404");
                }
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    wanted.extend(["401", "403"]);
                } else if method == "post" {
                    wanted.push("429");
                }
                if op.request_body.is_some() {
                    wanted.extend(["400", "413", "415", "422"]);
                }
                let has_query = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                if has_query {
                    wanted.push("422");
                }
                for status in wanted {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            RefOr::T(ResponseBuilder::new().description(describe(status)).build())
                        });
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if let (true, RefOr::T(r)) = (is_error, response) {
                        if r.content.is_empty() {
                            r.content
                                .insert("application/problem+json".to_string(), problem());
                        }
                        if r.description.is_empty() {
                            r.description = describe(status).to_string();
                        }
                    }
                }
            }
        }
    }
}

fn is_console(op: &utoipa::openapi::path::Operation) -> bool {
    op.tags
        .as_ref()
        .is_some_and(|t| t.iter().any(|t| t == "console"))
}

/// What the edge answers a page or a console page before its handler runs, as a page: for a
/// form, 400 when it does not read, 413 over the forms' limit, 415 for a body that is not
/// `application/x-www-form-urlencoded` (`web::FormConfig` in `app`), and the form is required
/// (a browser always sends one); for a query, 400 when it does not read (`web::QueryConfig`).
fn page_responses(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{ContentBuilder, RefOr, Required, ResponseBuilder};
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if let Some(body) = op.request_body.as_mut() {
        if body
            .content
            .contains_key("application/x-www-form-urlencoded")
        {
            body.required = Some(Required::True);
            wanted.extend([
                ("400", "the form could not be read (a page saying so)"),
                ("413", "the form is over the forms' limit (a page saying so)"),
                (
                    "415",
                    "the body is not a form (`application/x-www-form-urlencoded`; a page saying so)",
                ),
            ]);
        }
    }
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
    });
    if has_query {
        wanted.push((
            "400",
            "the address's query could not be read (a page saying so)",
        ));
    }
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("text/html", ContentBuilder::new().build())
                        .build(),
                )
            });
    }
}

/// How the server reads a text member of a request body (`domain::text`), so that the
/// document states it as a `pattern`: what a client may send is exactly what is accepted.
#[derive(Clone, Copy)]
enum Text {
    /// One line, not blank: trimmed (of whitespace, line breaks included), then no control
    /// character and at least one visible character (`short_text`).
    Line,
    /// One line, or blank for "none" (`optional_text`).
    OptionalLine,
    /// Several lines (tab and line breaks allowed, no other control character); blank for
    /// "none" (`long_text`).
    Lines,
    /// Several lines, not blank (a rejection's reason, a template, each text of a
    /// `Translatable`).
    RequiredLines,
    /// One line of at most this many characters once trimmed, or blank (a short limit the
    /// fuzzer reaches: the pattern states it).
    OptionalLineUpTo(usize),
    /// A phone number: digits, spaces and `+-().`, at most this many characters once trimmed,
    /// or blank.
    PhoneUpTo(usize),
    /// A country's ISO 3166-1 code (`MA`), or blank (`domain::text::country`).
    Country,
    /// An email address, or blank for "none".
    OptionalEmail,
    /// Read by its own parser (a slug, a time of day, a timezone), or checked by rules a
    /// pattern cannot state; left as the field documents it.
    Parsed,
}

/// Whitespace that `str::trim` removes and that a text may hold (the other whitespace
/// characters are control characters, refused everywhere).
const SPACE: &str = r"[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// A visible character: neither a control character nor whitespace.
const VISIBLE: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// A visible character of a single-line text: not whitespace, and none of what breaks or
/// reorders a line (`domain::text::breaks_one_line`: separators, direction overrides and
/// isolates, invisible word breakers).
const VISIBLE_IN_LINE: &str = concat!(
    r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000",
    r"\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]"
);
/// A character of a single-line text (`domain::text::breaks_one_line` refuses the others).
const IN_LINE: &str =
    r"[^\x00-\x1F\x7F-\x9F\u180E\u200B\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]";
/// A character of a multi-line text.
const IN_LINES: &str = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]";

impl Text {
    fn pattern(self) -> Option<String> {
        Some(match self {
            Text::Line => format!("^{SPACE}*{IN_LINE}*{VISIBLE_IN_LINE}{IN_LINE}*{SPACE}*$"),
            Text::OptionalLine => {
                format!("^{SPACE}*({IN_LINE}*{VISIBLE_IN_LINE}{IN_LINE}*)?{SPACE}*$")
            }
            Text::Lines => format!("^{IN_LINES}*$"),
            Text::RequiredLines => format!("^{IN_LINES}*{VISIBLE}{IN_LINES}*$"),
            Text::OptionalLineUpTo(max) => format!(
                "^{SPACE}*({VISIBLE_IN_LINE}({IN_LINE}{{0,{}}}{VISIBLE_IN_LINE})?)?{SPACE}*$",
                max.saturating_sub(2)
            ),
            Text::PhoneUpTo(max) => format!(
                r"^{SPACE}*([0-9+().\-]([0-9 +().\-]{{0,{}}}[0-9+().\-])?)?{SPACE}*$",
                max.saturating_sub(2)
            ),
            Text::Country => {
                let codes: Vec<&str> = crate::domain::country::all()
                    .iter()
                    .map(|c| c.code)
                    .collect();
                format!("^{SPACE}*({})?{SPACE}*$", codes.join("|"))
            }
            Text::OptionalEmail | Text::Parsed => return None,
        })
    }
}

/// The text members of the request bodies, by name (`Schema.member` where one body reads a
/// name differently). A text member missing here fails the document's build in the tests, so
/// a new one is classified when it is added.
const TEXTS: &[(&str, Text)] = &[
    ("name", Text::Line),
    ("title", Text::Line),
    ("company_name", Text::Line),
    ("contact_name", Text::Line),
    ("token", Text::Line),
    ("version", Text::Line),
    ("venue", Text::Line),
    ("city", Text::Line),
    ("badge_code", Text::Line),
    ("organization", Text::OptionalLine),
    ("job_title", Text::OptionalLine),
    ("country", Text::OptionalLine),
    ("NewExhibitor.country", Text::Country),
    ("ProfilePatch.country", Text::Country),
    ("sector", Text::OptionalLine),
    ("phone", Text::OptionalLine),
    ("NewExhibitor.phone", Text::OptionalLineUpTo(30)),
    ("ProfilePatch.phone", Text::OptionalLineUpTo(30)),
    ("RegistrationPatch.phone", Text::OptionalLineUpTo(200)),
    ("NewRegistration.phone", Text::PhoneUpTo(30)),
    ("description", Text::Lines),
    ("abstract", Text::Lines),
    ("bio", Text::Lines),
    ("comment", Text::Lines),
    ("reason", Text::RequiredLines),
    ("subject", Text::Line),
    ("text", Text::RequiredLines),
    ("html", Text::RequiredLines),
    ("password", Text::Lines),
    ("code", Text::OptionalLine),
    ("email", Text::OptionalEmail),
    ("slug", Text::Parsed),
    ("timezone", Text::Parsed),
    ("opens_at", Text::Parsed),
    ("closes_at", Text::Parsed),
    ("starts_at", Text::Parsed),
    ("ends_at", Text::Parsed),
    ("day", Text::Parsed),
    ("starts", Text::Parsed),
    ("ends", Text::Parsed),
    ("request_ttl", Text::Parsed),
    ("unavailable", Text::Parsed),
    ("message", Text::Lines),
];

/// Puts [`TEXTS`] into the request bodies' schemas, and states `Translatable` (one text, or
/// one per language, at least one, none blank).
struct TextRules;

impl Modify for TextRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{
            AdditionalProperties, AnyOfBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
            SchemaFormat, SchemaType, Type,
        };
        use utoipa::openapi::RefOr;
        let bodies = request_schemas(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let is_text = |t: &SchemaType| match t {
            SchemaType::Type(Type::String) => true,
            SchemaType::Array(ts) => ts.contains(&Type::String),
            _ => false,
        };
        for name in &bodies {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) else {
                continue;
            };
            // A consent that is required is a consent given: `true`.
            if object.required.iter().any(|r| r == "consent") {
                if let Some(RefOr::T(Schema::Object(consent))) =
                    object.properties.get_mut("consent")
                {
                    consent.enum_values = Some(vec![serde_json::Value::Bool(true)]);
                }
            }
            for (member, slot) in object.properties.iter_mut() {
                let RefOr::T(Schema::Object(prop)) = slot else {
                    continue;
                };
                let plain = is_text(&prop.schema_type)
                    && prop.format.is_none()
                    && prop.enum_values.is_none()
                    && prop.pattern.is_none();
                if !plain {
                    continue;
                }
                let qualified = format!("{name}.{member}");
                let Some((_, rule)) = TEXTS
                    .iter()
                    .find(|(k, _)| *k == qualified)
                    .or_else(|| TEXTS.iter().find(|(k, _)| k == member))
                else {
                    panic!(
                        "{qualified} is a text member that app::openapi::TEXTS does not classify"
                    );
                };
                if let Text::OptionalEmail = rule {
                    let nullable = matches!(&prop.schema_type, SchemaType::Array(ts) if ts.contains(&Type::Null));
                    let mut any = AnyOfBuilder::new()
                        .description(prop.description.clone())
                        .item(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email))),
                        )
                        .item(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .pattern(Some(format!("^{SPACE}*$"))),
                        );
                    if nullable {
                        any = any.item(ObjectBuilder::new().schema_type(Type::Null));
                    }
                    *slot = any.into();
                } else {
                    prop.pattern = rule.pattern();
                }
            }
        }
        let one_text = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Text::RequiredLines.pattern())
        };
        let per_language = ["ar", "fr", "en"]
            .into_iter()
            .fold(ObjectBuilder::new().schema_type(Type::Object), |o, lang| {
                o.property(lang, one_text())
            })
            .min_properties(Some(1))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        components.schemas.insert(
            "Translatable".to_string(),
            OneOfBuilder::new()
                .description(Some(
                    "A text for every language, or one per language (`ar`, `fr`, `en`; at least one); none blank.",
                ))
                .item(one_text())
                .item(per_language)
                .into(),
        );
    }
}

/// The names of the component schemas that request bodies use, directly or inside another.
fn request_schemas(openapi: &utoipa::openapi::OpenApi) -> Vec<String> {
    fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", serde_json::Value::String(r)) => {
                            found.push(r.rsplit('/').next().unwrap_or_default().to_string());
                        }
                        _ => refs(v, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for item in openapi.paths.paths.values() {
        for op in operations(item) {
            if let Some(body) = &op.request_body {
                refs(&serde_json::to_value(body).unwrap_or_default(), &mut found);
            }
        }
    }
    let schemas = openapi
        .components
        .as_ref()
        .map(|c| &c.schemas)
        .cloned()
        .unwrap_or_default();
    let mut i = 0;
    while i < found.len() {
        if let Some(schema) = schemas.get(&found[i]) {
            let mut inner = Vec::new();
            refs(
                &serde_json::to_value(schema).unwrap_or_default(),
                &mut inner,
            );
            for name in inner {
                if !found.contains(&name) {
                    found.push(name);
                }
            }
        }
        i += 1;
    }
    found.sort();
    found.dedup();
    found
}

/// An untagged enum (one JSON shape or another) is `oneOf` for utoipa, but its shapes may both
/// fit one value (an empty page fits both page schemas): `anyOf` says what the API means.
struct UntaggedAsAnyOf(&'static [&'static str]);

/// The untagged enums of the API.
const UNTAGGED: UntaggedAsAnyOf = UntaggedAsAnyOf(&["SessionPage", "SessionView"]);

impl Modify for UntaggedAsAnyOf {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{AnyOf, Schema};
        use utoipa::openapi::RefOr;
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in self.0 {
            if let Some(RefOr::T(Schema::OneOf(one))) = components.schemas.get(*name) {
                let mut any = AnyOf::new();
                any.items = one.items.clone();
                any.description = one.description.clone();
                components
                    .schemas
                    .insert((*name).to_string(), RefOr::T(Schema::AnyOf(any)));
            }
        }
    }
}

fn operations(
    item: &utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &utoipa::openapi::path::Operation> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.options,
        &item.head,
        &item.patch,
        &item.trace,
    ]
    .into_iter()
    .flatten()
}

fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Salon",
        description = "Registration and scheduling backend of a two-day international trade fair. Every error is RFC 9457 application/problem+json (schema `Problem`)."
    ),
    components(schemas(
        error::Problem,
        error::FieldError,
        email::handlers::EmailStatus,
        schedule::releases::PublishedSession,
        exhibitors::model::ExhibitorOut
    ))
)]
struct ApiDoc;

/// The document of `routes` (every route the app serves, `app::routes::all`): their paths, the
/// schemas they use, then what the modifiers state for every operation.
pub fn build(routes: &crate::web::routes::Routes) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let (paths, schemas) = routes.document();
    doc.paths = paths;
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    let modifiers: [&dyn Modify; 5] = [
        &BearerAuth,
        &UniqueOperationIds,
        &ProblemResponses,
        &UNTAGGED,
        &TextRules,
    ];
    for modifier in modifiers {
        modifier.modify(&mut doc);
    }
    doc
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "this document")))]
pub async fn document(doc: actix_web::web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// The document, serialized once when the app starts.
pub struct Document(pub actix_web::web::Bytes);

impl Document {
    pub fn of(routes: &crate::web::routes::Routes) -> Document {
        let json = serde_json::to_vec(&build(routes)).expect("the OpenAPI document serializes");
        Document(json.into())
    }
}

#[utoipa::path(get, path = "/api/v1/docs", tag = "operations", responses((status = 200, description = "a page listing the API", content_type = "text/html")))]
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            include_str!("../../templates/pages/api_docs.html")
                .replace("{{ script }}", &crate::web::assets::url("api-docs.js")),
        )
}

/// The document and the page that shows it.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_document, document).add(__path_page, page);
}
