//! The OpenAPI document at `/api/v1/openapi.json`, and `/api/v1/docs`, a self-contained page
//! that renders it (no assets fetched at build or run time).

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{audit, auth, checkin, email, error, events, exhibitors, registrations, schedule, web};

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

/// Each list's `sort` keys, so that a client (and a fuzzer) knows what the server takes: the
/// shared `ListParams` documents `sort` as any text, and this narrows it per list to its keys
/// and their `-` (descending) forms. A list missing here fails the document's build in the
/// tests, so a new list cannot go undocumented.
struct ListSorts(&'static [(&'static str, &'static [&'static str])]);

const LIST_SORTS: ListSorts = ListSorts(&[
    ("/api/v1/audit", audit::SORTS),
    ("/api/v1/events", events::handlers::SORTS),
    ("/api/v1/events/{slug}/audit", audit::SORTS),
    ("/api/v1/events/{slug}/booths", exhibitors::booths::SORTS),
    ("/api/v1/events/{slug}/emails", email::handlers::SORTS),
    (
        "/api/v1/events/{slug}/exhibitors",
        exhibitors::handlers::SORTS,
    ),
    (
        "/api/v1/events/{slug}/registrations",
        registrations::organizer::SORTS,
    ),
    ("/api/v1/events/{slug}/rooms", schedule::rooms::SORTS),
    (
        "/api/v1/events/{slug}/schedule/releases",
        schedule::releases::SORTS,
    ),
    ("/api/v1/events/{slug}/sessions", schedule::sessions::SORTS),
    ("/api/v1/events/{slug}/speakers", schedule::speakers::SORTS),
    ("/api/v1/events/{slug}/tracks", schedule::tracks::SORTS),
]);

impl Modify for ListSorts {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (_, op) in operations_mut(item) {
                let Some(sort) = op
                    .parameters
                    .iter_mut()
                    .flatten()
                    .find(|p| p.name == "sort")
                else {
                    continue;
                };
                let Some((_, keys)) = self.0.iter().find(|(p, _)| p == path) else {
                    panic!(
                        "{path} takes ?sort= but app::openapi::LIST_SORTS does not name its keys"
                    );
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
        }
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
    /// A phone number: digits, spaces and `+-().`, or blank.
    Phone,
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
            Text::Phone => format!(r"^{SPACE}*[0-9 +().\-]*{SPACE}*$"),
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
    ("sector", Text::OptionalLine),
    ("phone", Text::OptionalLine),
    ("NewRegistration.phone", Text::Phone),
    ("description", Text::Lines),
    ("abstract", Text::Lines),
    ("bio", Text::Lines),
    ("comment", Text::Lines),
    ("reason", Text::RequiredLines),
    ("subject", Text::Line),
    ("text", Text::RequiredLines),
    ("html", Text::RequiredLines),
    ("password", Text::Lines),
    ("email", Text::OptionalEmail),
    ("slug", Text::Parsed),
    ("timezone", Text::Parsed),
    ("opens_at", Text::Parsed),
    ("closes_at", Text::Parsed),
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
    info(title = "Salon", description = "Registration and scheduling backend of a two-day international trade fair. Every error is RFC 9457 application/problem+json (schema `Problem`)."),
    modifiers(&BearerAuth, &UniqueOperationIds, &ProblemResponses, &UNTAGGED, &LIST_SORTS, &TextRules),
    paths(
        web::health::healthz, web::health::readyz, web::health::metrics,
        auth::handlers::create_token, auth::handlers::revoke_token, auth::handlers::create_organizer,
        audit::list_all, events::handlers::audit_log,
        events::handlers::create, events::handlers::list, events::handlers::get,
        events::handlers::update, events::handlers::publish,
        schedule::rooms::create, schedule::rooms::list, schedule::rooms::get, schedule::rooms::update, schedule::rooms::delete,
        schedule::tracks::create, schedule::tracks::list, schedule::tracks::get, schedule::tracks::update, schedule::tracks::delete,
        schedule::speakers::create, schedule::speakers::list, schedule::speakers::get, schedule::speakers::update, schedule::speakers::delete,
        schedule::sessions::create, schedule::sessions::list, schedule::sessions::get, schedule::sessions::update, schedule::sessions::delete,
        schedule::conflicts::report,
        schedule::publishing::create, schedule::releases::list, schedule::publishing::public_schedule, schedule::import::import,
        registrations::handlers::register, registrations::handlers::confirm,
        registrations::organizer::list, registrations::organizer::csv, registrations::organizer::update,
        registrations::organizer::erase, registrations::organizer::resend, registrations::organizer::badge,
        registrations::attendee::get, registrations::attendee::cancel, registrations::attendee::erase,
        registrations::attendee::create_booking, registrations::attendee::delete_booking,
        registrations::organizer::bookings_summary, registrations::organizer::session_bookings_csv,
        registrations::agenda::feed, registrations::pages::attendee_booking, registrations::pages::visitor_booking,
        email::handlers::list, email::handlers::retry, email::handlers::get_template, email::handlers::put_template,
        registrations::pages::confirm_page, registrations::pages::confirm_submit, registrations::pages::used_link, registrations::pages::used_link_submit, registrations::pages::attendee_remember, registrations::pages::attendee_page,
        registrations::pages::attendee_cancel, registrations::pages::attendee_details, registrations::pages::attendee_erase, registrations::pages::badge_page,
        registrations::pages::register_form, registrations::pages::register_submit,
        exhibitors::booths::create, exhibitors::booths::list, exhibitors::booths::get, exhibitors::booths::update,
        exhibitors::booths::delete, exhibitors::booths::summary,
        exhibitors::handlers::apply, exhibitors::handlers::confirm, exhibitors::handlers::list, exhibitors::handlers::approve,
        exhibitors::handlers::reject, exhibitors::handlers::set_booth, exhibitors::handlers::update, exhibitors::handlers::erase,
        exhibitors::self_service::get, exhibitors::self_service::update, exhibitors::self_service::withdraw, exhibitors::self_service::erase,
        exhibitors::self_service::add_staff, exhibitors::self_service::remove_staff,
        exhibitors::pages::form, exhibitors::pages::submit, exhibitors::pages::confirm_page, exhibitors::pages::confirm_submit,
        exhibitors::pages::manage_page, exhibitors::pages::profile_submit, exhibitors::pages::staff_submit, exhibitors::pages::staff_remove, exhibitors::pages::withdraw_submit,
        checkin::scan, checkin::summary,
        schedule::pages::programme, schedule::pages::session, schedule::pages::session_calendar,
        schedule::pages::speaker, schedule::pages::changes,
        schedule::downloads::ics, schedule::downloads::xml, schedule::downloads::json, exhibitors::pages::directory, document, page,
    ),
    components(schemas(error::Problem, error::FieldError, email::handlers::EmailStatus, schedule::releases::PublishedSession, exhibitors::model::ExhibitorOut))
)]
pub struct ApiDoc;

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "this document")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[utoipa::path(get, path = "/api/v1/docs", tag = "operations", responses((status = 200, description = "a page listing the API", content_type = "text/html")))]
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("../../templates/pages/api_docs.html"))
}
