//! Page words: every interface word of the public HTML pages lives in one JSON file per
//! language, `templates/words/<lang>.json` (compiled into the binary), as the email words live
//! in `templates/email/<kind>/<lang>.*`. A translator works on one file per language, and the
//! tests below check that ar, fr and en hold the same sections, the same keys and the same
//! `{n}`-style placeholders, so a word added in one language cannot go missing in another.
//!
//! A file is made of sections, one per table of words a page uses ([`Section`]); a page merges
//! the sections it needs with [`words`] and hands the result to its template as `t`. Sections
//! are named by an enum rather than by strings so that a misspelt section is a compile error,
//! not a page with blank labels.
//!
//! In Arabic sentences, Latin examples (an address, `+ - ( )`) are isolated left to right with
//! U+2066 … U+2069 so that the sentence's final stop stays at its end; the files write these
//! invisible marks as `\u2066` / `\u2069` escapes so that a reader sees them.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::domain::Language;

/// One table of words in the files, named after the page (or the part of it) that shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The programme, session, speaker and changes pages.
    Programme,
    /// The book / leave buttons: the programme pages and the attendee page.
    ProgrammeSeat,
    /// A session page's language and its invitation to register.
    ProgrammeSession,
    /// The attendee's pages: confirmation, own page, badge, registration form.
    Attendee,
    /// The attendee pages' used confirmation link, refused seat and registration notes.
    AttendeeLinksAndSeats,
    /// The attendee page's booked sessions and agenda feed.
    AttendeeBookings,
    /// The exhibitor's pages: application form, confirmation, manage page.
    Exhibitor,
    /// The public exhibitor directory.
    ExhibitorDirectory,
    /// The way forward from an expired exhibitor confirmation link.
    ExhibitorExpiredLink,
    /// The error page: title and text by status (`404_title`…), a used link, a form to retry.
    ErrorPage,
    /// What a form shows beside a field, by broken rule.
    FormErrors,
    /// The front page: the published fairs.
    Home,
    /// The console's frame, sign-in, error pages and the fair's pages.
    Console,
    /// The console's programme editor, session forms and releases.
    ConsoleSchedule,
    /// The door: checking badges in.
    ConsoleDoor,
    /// Registrations in the console.
    ConsoleRegistrations,
    /// Exhibitors in the console.
    ConsoleExhibitors,
    /// Emails in the console.
    ConsoleEmails,
    /// The team: organizers and invitations.
    ConsoleTeam,
    /// Meetings: the exhibitor's requests and the attendee's request form.
    Meetings,
    /// Webhooks in the console.
    ConsoleWebhooks,
}

impl Section {
    pub const ALL: [Section; 21] = [
        Section::Programme,
        Section::ProgrammeSeat,
        Section::ProgrammeSession,
        Section::Attendee,
        Section::AttendeeLinksAndSeats,
        Section::AttendeeBookings,
        Section::Exhibitor,
        Section::ExhibitorDirectory,
        Section::ExhibitorExpiredLink,
        Section::ErrorPage,
        Section::FormErrors,
        Section::Home,
        Section::Console,
        Section::ConsoleSchedule,
        Section::ConsoleDoor,
        Section::ConsoleRegistrations,
        Section::ConsoleExhibitors,
        Section::ConsoleEmails,
        Section::ConsoleTeam,
        Section::Meetings,
        Section::ConsoleWebhooks,
    ];

    /// The section's name in the files.
    pub fn name(self) -> &'static str {
        match self {
            Section::Programme => "programme",
            Section::ProgrammeSeat => "programme_seat",
            Section::ProgrammeSession => "programme_session",
            Section::Attendee => "attendee",
            Section::AttendeeLinksAndSeats => "attendee_links_and_seats",
            Section::AttendeeBookings => "attendee_bookings",
            Section::Exhibitor => "exhibitor",
            Section::ExhibitorDirectory => "exhibitor_directory",
            Section::ExhibitorExpiredLink => "exhibitor_expired_link",
            Section::ErrorPage => "error_page",
            Section::FormErrors => "form_errors",
            Section::Home => "home",
            Section::Console => "console",
            Section::ConsoleSchedule => "console_schedule",
            Section::ConsoleDoor => "console_door",
            Section::ConsoleRegistrations => "console_registrations",
            Section::ConsoleExhibitors => "console_exhibitors",
            Section::ConsoleEmails => "console_emails",
            Section::ConsoleTeam => "console_team",
            Section::Meetings => "meetings",
            Section::ConsoleWebhooks => "console_webhooks",
        }
    }
}

/// The words of `sections` in `lang`, merged into one JSON object (a later section wins a
/// key both hold): the `t` of a page template.
pub fn words(lang: Language, sections: &[Section]) -> Value {
    let file = file(lang);
    let mut all = Map::new();
    for section in sections {
        match file.get(section.name()) {
            Some(Value::Object(words)) => all.extend(words.clone()),
            _ => tracing::error!(
                lang = lang.code(),
                section = section.name(),
                "no page words"
            ),
        }
    }
    Value::Object(all)
}

/// One word of `section` in `lang`, or an empty string if the files lack it (the tests make
/// sure they do not).
pub fn word(lang: Language, section: Section, key: &str) -> String {
    file(lang)
        .get(section.name())
        .and_then(|words| words.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn source(lang: Language) -> &'static str {
    match lang {
        Language::Ar => include_str!("../../templates/words/ar.json"),
        Language::Fr => include_str!("../../templates/words/fr.json"),
        Language::En => include_str!("../../templates/words/en.json"),
    }
}

fn parse(text: &str) -> serde_json::Result<Map<String, Value>> {
    serde_json::from_str(text)
}

/// The sections of `lang`'s file, parsed once.
fn file(lang: Language) -> &'static Map<String, Value> {
    static AR: OnceLock<Map<String, Value>> = OnceLock::new();
    static FR: OnceLock<Map<String, Value>> = OnceLock::new();
    static EN: OnceLock<Map<String, Value>> = OnceLock::new();
    let cell = match lang {
        Language::Ar => &AR,
        Language::Fr => &FR,
        Language::En => &EN,
    };
    cell.get_or_init(|| {
        // An embedded file that does not parse is a bug the tests catch; were one to ship,
        // pages would show blank labels rather than fail.
        parse(source(lang)).unwrap_or_else(|e| {
            tracing::error!(lang = lang.code(), error = %e, "page words do not parse");
            Map::new()
        })
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn parsed(lang: Language) -> Map<String, Value> {
        parse(source(lang)).unwrap_or_else(|e| panic!("templates/words/{}.json: {e}", lang.code()))
    }

    /// The `{name}` placeholders of a text.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_file_parses_into_the_known_sections() {
        let known: BTreeSet<&str> = Section::ALL.iter().map(|s| s.name()).collect();
        for lang in Language::ALL {
            let file = parsed(lang);
            let sections: BTreeSet<&str> = file.keys().map(String::as_str).collect();
            assert_eq!(sections, known, "sections of {}.json", lang.code());
        }
    }

    #[test]
    fn every_key_is_in_every_language_with_the_same_placeholders() {
        let files: Vec<(Language, Map<String, Value>)> =
            Language::ALL.iter().map(|l| (*l, parsed(*l))).collect();
        for section in Section::ALL {
            let name = section.name();
            let mut keys = BTreeSet::new();
            for (_, file) in &files {
                if let Some(Value::Object(words)) = file.get(name) {
                    keys.extend(words.keys().cloned());
                }
            }
            for key in &keys {
                let mut seen: Option<BTreeSet<&str>> = None;
                for (lang, file) in &files {
                    let text = file
                        .get(name)
                        .and_then(|w| w.get(key))
                        .and_then(Value::as_str)
                        .unwrap_or_else(|| {
                            panic!("{name}.{key} is not a text in {}.json", lang.code())
                        });
                    assert!(
                        !text.trim().is_empty(),
                        "{name}.{key} is empty in {}",
                        lang.code()
                    );
                    let here = placeholders(text);
                    match &seen {
                        None => seen = Some(here),
                        Some(first) => assert_eq!(
                            &here,
                            first,
                            "{name}.{key}: placeholders differ in {}.json",
                            lang.code()
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn words_merge_the_sections_asked_for() {
        let t = words(Language::Fr, &[Section::Programme, Section::ProgrammeSeat]);
        assert_eq!(t["programme"], "Programme");
        assert_eq!(t["book"], "Réserver une place");
        assert!(t.get("confirm_title").is_none());
        assert_eq!(word(Language::En, Section::ProgrammeSeat, "leave"), "Leave");
        assert_eq!(
            word(Language::En, Section::ProgrammeSeat, "no such key"),
            ""
        );
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("entre {lo} et {hi}."),
            BTreeSet::from(["lo", "hi"])
        );
        assert!(placeholders("no braces").is_empty());
    }
}
