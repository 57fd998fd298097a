use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The fair's languages.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ar,
    Fr,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Ar, Language::Fr, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Ar => "العربية",
            Language::Fr => "Français",
            Language::En => "English",
        }
    }

    /// Arabic is written right to left.
    pub fn is_rtl(self) -> bool {
        self == Language::Ar
    }

    /// The best supported language of an `Accept-Language` header, if any.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Ok(lang) = primary.parse::<Language>() {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ar" => Ok(Language::Ar),
            "fr" => Ok(Language::Fr),
            "en" => Ok(Language::En),
            other => Err(format!(
                "unknown language `{other}`, expected one of ar, fr, en"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_supported() {
        assert_eq!(
            Language::from_accept_language("de-DE, fr;q=0.8, en;q=0.5"),
            Some(Language::Fr)
        );
        assert_eq!(Language::from_accept_language("ar-MA"), Some(Language::Ar));
        assert_eq!(Language::from_accept_language("de, es"), None);
    }
}
