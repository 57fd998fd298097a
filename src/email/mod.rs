//! Email: the outbox written in each change's transaction, the sender that sends it, the
//! transports, the templates (built-in files and organizers' overrides) and the organizers'
//! routes to watch the outbox and override texts.

pub mod console;
pub mod handlers;
mod kind;
pub mod model;
pub mod outbox;
pub mod relay;
pub mod sender;
pub mod store;
pub mod templates;
pub mod transport;

pub use kind::{EmailKind, COMMON_VARIABLES};
pub use outbox::{enqueue, Attachment, NewEmail};

/// The variables every email template gets ([`COMMON_VARIABLES`]), for `name` in `lang`.
pub fn common_context(
    event: &crate::events::Event,
    lang: crate::domain::Language,
    name: &str,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut m = serde_json::Map::new();
    m.insert("name".into(), json!(name));
    m.insert(
        "event_name".into(),
        json!(event.name.get(lang, event.default_language)),
    );
    m.insert(
        "event_dates".into(),
        json!(crate::domain::dates::range(
            lang,
            event.starts_on,
            event.ends_on
        )),
    );
    m.insert("venue".into(), json!(event.venue));
    m.insert("city".into(), json!(event.city));
    m.insert("contact_email".into(), json!(event.contact_email));
    m
}

/// How an email to the fair's contact address greets its reader: the organizing team, in
/// `lang`.
pub fn organizing_team(lang: crate::domain::Language) -> &'static str {
    use crate::domain::Language;
    match lang {
        Language::Ar => "فريق التنظيم",
        Language::Fr => "Équipe organisatrice",
        Language::En => "Organizing team",
    }
}

/// The outbox and templates API.
/// The emails written to registration `id`, newest first (what its console page lists).
pub fn sent_to_registration(
    c: &mut crate::db::Conn,
    id: i64,
) -> crate::error::AppResult<Vec<model::EmailOut>> {
    Ok(store::of_registration(c, id)?
        .into_iter()
        .map(model::EmailOut::from)
        .collect())
}

pub fn routes(r: &mut crate::web::routes::Routes) {
    console::routes(r);
    handlers::routes(r);
}
