//! Countries: ISO 3166-1 alpha-2 codes (`MA`) with their names in Arabic, French and English,
//! from `countries.tsv`. A country is stored as its code, whichever way it was given (a code in
//! the API, a choice in a form, a name typed in any of the three languages), so the directory's
//! filter never splits "Maroc", "Morocco" and "MA".

use std::sync::LazyLock;

use super::Language;

/// One country of the list.
#[derive(Debug, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    /// Arabic, French, English.
    names: [&'static str; 3],
}

impl Country {
    /// The country's name in `lang`.
    pub fn name(&self, lang: Language) -> &'static str {
        match lang {
            Language::Ar => self.names[0],
            Language::Fr => self.names[1],
            Language::En => self.names[2],
        }
    }
}

static COUNTRIES: LazyLock<Vec<Country>> = LazyLock::new(|| {
    include_str!("countries.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let (code, en, fr, ar) = (cells.next()?, cells.next()?, cells.next()?, cells.next()?);
            Some(Country {
                code,
                names: [ar, fr, en],
            })
        })
        .collect()
});

/// Every country, by code.
pub fn all() -> &'static [Country] {
    &COUNTRIES
}

/// Every country sorted by its name in `lang`, as a form's list offers them.
pub fn sorted(lang: Language) -> Vec<&'static Country> {
    let mut list: Vec<&Country> = COUNTRIES.iter().collect();
    list.sort_by_cached_key(|c| fold(c.name(lang)));
    list
}

/// The country of a code (any case) or of a name in Arabic, French or English (case, accents,
/// Arabic diacritics and punctuation aside).
pub fn find(given: &str) -> Option<&'static Country> {
    let given = given.trim();
    if given.len() == 2 {
        let code = given.to_ascii_uppercase();
        if let Some(c) = COUNTRIES.iter().find(|c| c.code == code) {
            return Some(c);
        }
    }
    let wanted = fold(given);
    if wanted.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|c| c.names.iter().any(|name| fold(name) == wanted))
}

/// The country's name in `lang` for a stored value: a code's name, or the value itself when it
/// is no code (a row written before countries were codes).
pub fn label(stored: &str, lang: Language) -> String {
    match COUNTRIES.iter().find(|c| c.code == stored) {
        Some(c) => c.name(lang).to_string(),
        None => stored.to_string(),
    }
}

/// Lower case, letters without their accents or Arabic marks, nothing but letters and digits.
fn fold(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        let plain = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'œ' => {
                out.push_str("oe");
                continue;
            }
            'أ' | 'إ' | 'آ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            // Arabic short vowels, shadda, sukun, superscript alef and tatweel.
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            c if c.is_alphanumeric() => c,
            _ => continue,
        };
        out.push(plain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_three_languages_find_the_same_country() {
        for given in ["MA", "ma", " Maroc ", "morocco", "المغرب"] {
            assert_eq!(find(given).map(|c| c.code), Some("MA"), "{given}");
        }
        assert_eq!(find("Royaume du Maroc"), None);
        assert_eq!(find("Égypte").map(|c| c.code), Some("EG"));
        assert_eq!(find("egypte").map(|c| c.code), Some("EG"));
        // Written with or without the shadda.
        assert_eq!(find("الولايات المتحدة").map(|c| c.code), Some("US"));
        assert_eq!(find("Cote d’Ivoire").map(|c| c.code), Some("CI"));
        assert_eq!(find("Atlantis"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn every_country_has_a_name_in_each_language_and_a_unique_code() {
        assert!(all().len() > 240);
        let mut codes: Vec<_> = all().iter().map(|c| c.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), all().len());
        for c in all() {
            assert!(c.code.len() == 2 && c.code.chars().all(|ch| ch.is_ascii_uppercase()));
            for lang in Language::ALL {
                assert!(!c.name(lang).is_empty(), "{} in {lang:?}", c.code);
            }
        }
        assert_eq!(label("MA", Language::Ar), "المغرب");
        assert_eq!(label("Narnia", Language::Fr), "Narnia");
        assert_eq!(sorted(Language::Fr)[0].name(Language::Fr), "Afghanistan");
    }
}
