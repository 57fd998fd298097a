//! frab schedule XML, written as c3voc's tools and pretalx read it and read as frab, pretalx
//! and Salon write it. The XML follows c3voc's validator (voc/schedule
//! `validator/xsd/schedule.xml.xsd`) and what pretalx writes.

use super::ids::{frab_slug, guid};
use super::imported::{nonempty, Builder, Imported, RawEvent, RawPerson};
use super::programme::{
    days, duration_hhmm, span, ymd, Programme, Session, GENERATOR, GENERATOR_VERSION, TIMESLOT,
};

/// Escapes XML text (`attribute`: also tabs and newlines, which attribute values would
/// otherwise turn into spaces); drops characters XML 1.0 cannot hold.
fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if c >= '\u{20}' && c != '\u{fffe}' && c != '\u{ffff}' => out.push(c),
            _ => {}
        }
    }
    out
}

/// A small indenting XML writer.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start_tag(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            self.out.push_str(&xml_escape(value, true));
            self.out.push('"');
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start_tag(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(tag, attrs);
        if text.is_empty() {
            self.out.push_str("/>\n");
        } else {
            self.out.push('>');
            self.out.push_str(&xml_escape(text, false));
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push_str(">\n");
        }
    }
}

/// The programme as frab schedule XML. Every room appears in every day (the XSD allows empty
/// rooms), so an import finds them all.
pub fn write(programme: &Programme) -> String {
    let days = days(programme);
    let (first, last) = span(programme, &days);
    let mut x = Xml::default();
    x.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.open("schedule", &[]);
    x.leaf(
        "generator",
        &[("name", GENERATOR), ("version", GENERATOR_VERSION)],
        "",
    );
    x.leaf("version", &[], &programme.version);
    x.open("conference", &[]);
    x.leaf("acronym", &[], &programme.slug);
    x.leaf("title", &[], &programme.title);
    x.leaf("start", &[], &ymd(first));
    x.leaf("end", &[], &ymd(last));
    x.leaf("days", &[], &days.len().to_string());
    x.leaf("timeslot_duration", &[], TIMESLOT);
    x.leaf("base_url", &[], &programme.base_url);
    x.leaf("time_zone_name", &[], programme.timezone.name());
    x.close("conference");
    for day in &days {
        let index = day.index.to_string();
        let date = ymd(day.date);
        let start = day.start.to_rfc3339();
        let end = day.end.to_rfc3339();
        x.open(
            "day",
            &[
                ("index", index.as_str()),
                ("date", date.as_str()),
                ("start", start.as_str()),
                ("end", end.as_str()),
            ],
        );
        for room in &programme.rooms {
            // No `guid` on rooms: the published XSD (voc/schedule validator) does not allow
            // it; the JSON export carries room GUIDs.
            x.open("room", &[("name", room.name.as_str())]);
            for s in day.sessions.iter().filter(|s| s.room_id == room.id) {
                xml_event(&mut x, programme, s, &room.name);
            }
            x.close("room");
        }
        x.close("day");
    }
    x.close("schedule");
    x.out
}

fn xml_event(x: &mut Xml, programme: &Programme, s: &Session, room_name: &str) {
    let local = s.starts_at.with_timezone(&programme.timezone);
    let event_guid = guid(&programme.host, s.id);
    let id = s.id.to_string();
    x.open(
        "event",
        &[("guid", event_guid.as_str()), ("id", id.as_str())],
    );
    x.leaf("room", &[], room_name);
    x.leaf("title", &[], &s.title);
    x.leaf("subtitle", &[], "");
    x.leaf("type", &[], &s.kind);
    x.leaf("date", &[], &local.fixed_offset().to_rfc3339());
    x.leaf("start", &[], &local.format("%H:%M").to_string());
    x.leaf("duration", &[], &duration_hhmm(s));
    x.leaf("abstract", &[], s.abstract_text.as_deref().unwrap_or(""));
    x.leaf("slug", &[], &frab_slug(&programme.slug, s.id, &s.title));
    x.leaf("track", &[], s.track.as_deref().unwrap_or(""));
    x.leaf("language", &[], &s.language);
    x.leaf("description", &[], "");
    x.open("recording", &[]);
    x.leaf("license", &[], "");
    x.leaf("optout", &[], "false");
    x.close("recording");
    if s.speakers.is_empty() {
        x.leaf("persons", &[], "");
    } else {
        x.open("persons", &[]);
        for sp in &s.speakers {
            let person_id = sp.id.to_string();
            x.leaf("person", &[("id", person_id.as_str())], &sp.name);
        }
        x.close("persons");
    }
    x.leaf("links", &[], "");
    x.leaf("attachments", &[], "");
    x.leaf("url", &[], &s.url);
    x.close("event");
}

fn elements<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .collect()
}

fn element<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// All the text inside an element (CDATA included).
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    element(node, name).map(text_of)
}

/// The deepest element nesting an imported XML may have. A frab schedule nests about 6 deep;
/// thousands of levels cost the parser (and anything walking the tree) time and stack.
pub const MAX_XML_DEPTH: usize = 64;

/// Whether elements in `text` nest deeper than `limit`, counted by a scan that needs no stack
/// and stops at the first tag past it: start tags open, end tags close, `<…/>` does neither;
/// comments, CDATA sections, processing instructions and declarations are skipped whole.
pub fn nesting_over(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let skip_to = |from: usize, end: &[u8]| -> usize {
        b[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(b.len(), |p| from + p + end.len())
    };
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = skip_to(i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(i + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_to(i + 2, b"?>");
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") {
            if rest.starts_with(b"</") {
                depth = depth.saturating_sub(1);
            }
            i = skip_to(i + 2, b">");
        } else {
            // A start tag ends at the first `>` outside its quoted attribute values.
            let (mut j, mut quote, mut self_closing) = (i + 1, None, false);
            while j < b.len() {
                match (quote, b[j]) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, c @ (b'"' | b'\'')) => quote = Some(c),
                    (None, b'>') => {
                        self_closing = b[j - 1] == b'/';
                        break;
                    }
                    (None, _) => {}
                }
                j += 1;
            }
            if !self_closing {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            i = j + 1;
        }
    }
    false
}

/// Reads a frab schedule XML (as frab, pretalx and Salon write it). Documents with a DTD are
/// refused (the parser's default), so no entity expansion reaches the server.
pub fn parse(body: &[u8]) -> Result<Imported, Vec<(String, String)>> {
    let text = std::str::from_utf8(body)
        .map_err(|e| vec![("body".to_string(), format!("is not UTF-8 text: {e}"))])?;
    if nesting_over(text, MAX_XML_DEPTH) {
        return Err(vec![(
            "body".to_string(),
            format!(
                "elements are nested more than {MAX_XML_DEPTH} deep: a frab schedule nests about 6"
            ),
        )]);
    }
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| vec![("body".to_string(), format!("is not well-formed XML: {e}"))])?;
    let root = doc.root_element();
    if root.tag_name().name() != "schedule" {
        return Err(vec![(
            "schedule".to_string(),
            format!(
                "the root element is <{}>, not <schedule>: this is not a frab schedule XML",
                root.tag_name().name()
            ),
        )]);
    }
    let mut b = Builder::default();
    for (d, day) in elements(root, "day").into_iter().enumerate() {
        for (r, room) in elements(day, "room").into_iter().enumerate() {
            let room_name = room.attribute("name").map(str::to_string);
            if let Some(name) = &room_name {
                b.room(name, None);
            }
            for (k, event) in elements(room, "event").into_iter().enumerate() {
                let path = format!("schedule.day.{d}.room.{r}.event.{k}");
                let persons = match element(event, "persons") {
                    Some(list) => elements(list, "person")
                        .into_iter()
                        .enumerate()
                        .map(|(i, person)| RawPerson {
                            path: format!("{path}.persons.{i}"),
                            key: person
                                .attribute("id")
                                .or_else(|| person.attribute("guid"))
                                .map(str::to_string),
                            name: Some(text_of(person)),
                            bio: None,
                        })
                        .collect(),
                    None => Vec::new(),
                };
                let room = nonempty(child_text(event, "room")).or_else(|| room_name.clone());
                let text = |key: &str| child_text(event, key);
                let raw = RawEvent::read(text, child_text(event, "track"), room, persons, path);
                b.session(raw);
            }
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_xml_is_refused_before_it_is_parsed() {
        let deep = format!("{}{}", "<a>".repeat(20_000), "</a>".repeat(20_000));
        let body = format!("<schedule>{deep}</schedule>");
        let errors = parse(body.as_bytes()).expect_err("refused");
        assert_eq!(errors[0].0, "body");
        assert!(errors[0].1.contains("nested more than 64"), "{errors:?}");
        let shallow = "<schedule><!-- <a><a> --><day><![CDATA[<br><br>]]><room name=\"a>b\"/></day><?pi <x> ?></schedule>";
        assert!(!nesting_over(shallow, 3));
        assert!(nesting_over("<a><b><c><d/></c></b></a>", 2));
        let quoted = "<a x=\"/>\">".repeat(100);
        assert!(
            nesting_over(&quoted, 64),
            "a quoted /> does not close the tag"
        );
        let linked = "<link title=\"a>b\"/>".repeat(100);
        assert!(
            !nesting_over(&format!("<s>{linked}</s>"), 2),
            "a quoted > does not end it"
        );
        assert!(!nesting_over("<a><b><c><d/></c></b></a>", 3));
    }
}
