//! Dates written for people, in their language: "12–13 avril 2027", "12–13 أبريل 2027".
//! Arabic uses the month names customary in Morocco.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::Language;

fn month(lang: Language, m: u32) -> &'static str {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const AR: [&str; 12] = [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ];
    let i = (m.clamp(1, 12) - 1) as usize;
    match lang {
        Language::Fr => FR[i],
        Language::En => EN[i],
        Language::Ar => AR[i],
    }
}

/// One day: "12 avril 2027".
pub fn day(lang: Language, d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month(lang, d.month()), d.year())
}

/// The fair's days: "12–13 avril 2027", or "30 avril – 1 mai 2027" across months.
pub fn range(lang: Language, from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        day(lang, from)
    } else if from.year() == to.year() && from.month() == to.month() {
        format!(
            "{}–{} {} {}",
            from.day(),
            to.day(),
            month(lang, to.month()),
            to.year()
        )
    } else if from.year() == to.year() {
        format!(
            "{} {} – {} {} {}",
            from.day(),
            month(lang, from.month()),
            to.day(),
            month(lang, to.month()),
            to.year()
        )
    } else {
        format!("{} – {}", day(lang, from), day(lang, to))
    }
}

/// A local date and time: "12 avril 2027, 09:30".
pub fn day_time(lang: Language, t: NaiveDateTime) -> String {
    format!("{}, {}", day(lang, t.date()), t.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn ranges() {
        assert_eq!(
            range(Language::Fr, d(2027, 4, 12), d(2027, 4, 13)),
            "12–13 avril 2027"
        );
        assert_eq!(
            range(Language::En, d(2027, 4, 30), d(2027, 5, 1)),
            "30 April – 1 May 2027"
        );
        assert_eq!(
            range(Language::Ar, d(2027, 8, 3), d(2027, 8, 4)),
            "3–4 غشت 2027"
        );
    }
}
