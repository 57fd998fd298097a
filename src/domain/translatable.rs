use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Language;

/// A text organizers write for everyone (event name, room, hall and track names): either one
/// string for every language, or one per language. Readers get their language, falling back to
/// the event's default language, then to any language present.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Translatable {
    /// The same text in every language.
    Same(String),
    /// `{"ar": …, "fr": …, "en": …}`; at least one.
    #[schema(value_type = Object)]
    PerLanguage(BTreeMap<Language, String>),
}

impl Translatable {
    /// The text for `lang`, else for `fallback`, else any.
    pub fn get(&self, lang: Language, fallback: Language) -> &str {
        match self {
            Translatable::Same(s) => s,
            Translatable::PerLanguage(map) => map
                .get(&lang)
                .or_else(|| map.get(&fallback))
                .or_else(|| map.values().next())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    /// Every text, for search.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Translatable::Same(s) => vec![s.as_str()],
            Translatable::PerLanguage(map) => map.values().map(String::as_str).collect(),
        }
    }

    /// Stored as JSON text.
    pub fn to_db(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what [`Translatable::to_db`] stored. A plain non-JSON string is taken as it is.
    pub fn from_db(s: &str) -> Translatable {
        match serde_json::from_str::<serde_json::Value>(s) {
            Ok(serde_json::Value::String(text)) => Translatable::Same(text),
            Ok(serde_json::Value::Object(map)) => Translatable::PerLanguage(
                map.into_iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string())))
                    .collect(),
            ),
            _ => Translatable::Same(s.to_string()),
        }
    }

    fn check_text(s: &str, max: usize) -> Result<(), String> {
        if s.trim().is_empty() {
            return Err("must not be empty".into());
        }
        if s.chars().count() > max {
            return Err(format!("must be at most {max} characters"));
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Translatable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::String(s) => {
                Translatable::check_text(&s, 10_000).map_err(D::Error::custom)?;
                Ok(Translatable::Same(s))
            }
            serde_json::Value::Object(map) => {
                if map.is_empty() {
                    return Err(D::Error::custom("must give at least one of ar, fr, en"));
                }
                let mut out = BTreeMap::new();
                for (key, text) in map {
                    let lang: Language = key.parse().map_err(D::Error::custom)?;
                    let serde_json::Value::String(text) = text else {
                        return Err(D::Error::custom(format!("`{key}` must be a string")));
                    };
                    Translatable::check_text(&text, 10_000)
                        .map_err(|e| D::Error::custom(format!("`{key}` {e}")))?;
                    out.insert(lang, text);
                }
                Ok(Translatable::PerLanguage(out))
            }
            _ => Err(D::Error::custom(
                "must be a string or an object like {\"ar\": …, \"fr\": …, \"en\": …}",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_or_object() {
        let t: Translatable = serde_json::from_str(r#""SICCAM""#).expect("string");
        assert_eq!(t.get(Language::Ar, Language::Fr), "SICCAM");
        let t: Translatable =
            serde_json::from_str(r#"{"fr": "Salon", "ar": "معرض"}"#).expect("object");
        assert_eq!(t.get(Language::Ar, Language::Fr), "معرض");
        assert_eq!(t.get(Language::En, Language::Fr), "Salon");
        assert_eq!(Translatable::from_db(&t.to_db()), t);
        let empty = Translatable::Same(String::new());
        assert_eq!(Translatable::from_db(&empty.to_db()), empty);
    }

    #[test]
    fn rejects_unknown_language_and_empty() {
        assert!(serde_json::from_str::<Translatable>(r#"{"de": "x"}"#).is_err());
        assert!(serde_json::from_str::<Translatable>(r#"{}"#).is_err());
        assert!(serde_json::from_str::<Translatable>(r#""  ""#).is_err());
        assert!(serde_json::from_str::<Translatable>("3").is_err());
    }
}
