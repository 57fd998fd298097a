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

    /// Like [`Translatable::check`] for a text that may be left empty (a description).
    pub fn check_optional(&self, field: &str, max: usize, errors: &mut Vec<super::FieldError>) {
        if self.texts().iter().all(|t| t.trim().is_empty()) {
            return;
        }
        self.check(field, max, errors);
    }

    /// The value checks of a text organizers wrote for `field`: at least one language, each
    /// text trimmed-non-empty and at most `max` characters (errors at `field` or `field.fr`).
    pub fn check(&self, field: &str, max: usize, errors: &mut Vec<super::FieldError>) {
        use super::text::{FieldError, Rule};
        let mut one = |path: String, text: &str| {
            if text.trim().is_empty() {
                errors.push(FieldError::rule(path, Rule::Empty));
            } else if text.chars().count() > max {
                errors.push(FieldError::rule(path, Rule::TooLong(max)));
            }
        };
        match self {
            Translatable::Same(text) => one(field.to_string(), text),
            Translatable::PerLanguage(map) if map.is_empty() => errors.push(FieldError::new(
                field,
                "must give at least one of ar, fr, en",
            )),
            Translatable::PerLanguage(map) => {
                for (lang, text) in map {
                    one(format!("{field}.{}", lang.code()), text);
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for Translatable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::String(s) => Ok(Translatable::Same(s)),
            serde_json::Value::Object(map) => {
                let mut out = BTreeMap::new();
                for (key, text) in map {
                    let lang: Language = key.parse().map_err(D::Error::custom)?;
                    let serde_json::Value::String(text) = text else {
                        return Err(D::Error::custom(format!("`{key}` must be a string")));
                    };
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
    fn reading_checks_the_shape_and_checking_the_texts() {
        assert!(serde_json::from_str::<Translatable>(r#"{"de": "x"}"#).is_err());
        assert!(serde_json::from_str::<Translatable>("3").is_err());
        let mut errors = Vec::new();
        for (json, field) in [
            (r#"{}"#, "a"),
            (r#""  ""#, "b"),
            (r#"{"fr": "ok", "ar": " "}"#, "c"),
        ] {
            let t: Translatable = serde_json::from_str(json).expect("shape");
            t.check(field, 10, &mut errors);
        }
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c.ar"]);
    }
}
