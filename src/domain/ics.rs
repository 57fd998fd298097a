//! The text rules of iCalendar (RFC 5545) that every calendar file Salon writes follows: TEXT
//! values escaped, lines folded at 75 octets, CRLF line ends, times in UTC.

use chrono::NaiveDateTime;

/// Escapes a TEXT value (backslash, `;`, `,`, newlines; a lone CR is dropped).
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// Folds a content line longer than 75 octets, never inside a character.
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += n;
    }
    out
}

/// A UTC time as a DATE-TIME value (`20270412T080000Z`).
pub fn utc(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Content lines joined as a calendar file: each folded, CRLF after each.
pub fn lines(lines: &[String]) -> String {
    lines.iter().map(|l| fold(l) + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_escaped_and_folded_at_75_octets() {
        assert_eq!(escape("a,b;c\\d\r\ne\rf"), "a\\,b\\;c\\\\d\\nef");
        let long = format!("SUMMARY:{}", "ندوة ".repeat(30));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", ""), long);
    }
}
