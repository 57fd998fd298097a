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

/// A time of the programme as a client writes it: RFC 3339 with an offset
/// (`2027-02-22T09:00:00+01:00`), or the fair's local wall-clock time without one
/// (`2027-02-22T09:00`, as `datetime-local` inputs send it), which the fair's time zone places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeTime {
    Offset(chrono::DateTime<chrono::FixedOffset>),
    Local(NaiveDateTime),
}

/// What a bad programme time is told.
pub const PROGRAMME_TIME_EXPECTED: &str = "expected a date and time like 2027-02-22T09:00 (the fair's local time) or 2027-02-22T09:00:00+01:00";

impl ProgrammeTime {
    pub fn parse(text: &str) -> Result<ProgrammeTime, String> {
        let text = text.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
            return Ok(ProgrammeTime::Offset(t));
        }
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(ProgrammeTime::Local)
            .ok_or_else(|| PROGRAMME_TIME_EXPECTED.to_string())
    }

    /// The instant, in UTC to the second: a local time read in `tz`. A local time the clocks
    /// skip (spring forward) is refused; one they pass twice (fall back) is the first.
    pub fn utc(self, tz: chrono_tz::Tz) -> Result<NaiveDateTime, String> {
        use chrono::{SubsecRound, TimeZone};
        match self {
            ProgrammeTime::Offset(t) => Ok(t.naive_utc().trunc_subsecs(0)),
            ProgrammeTime::Local(t) => tz
                .from_local_datetime(&t.trunc_subsecs(0))
                .earliest()
                .map(|t| t.naive_utc())
                .ok_or_else(|| {
                    format!(
                        "{} does not exist in {}: the clocks change then",
                        t.format("%Y-%m-%d %H:%M"),
                        tz.name()
                    )
                }),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ProgrammeTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ProgrammeTime::parse(&text).map_err(serde::de::Error::custom)
    }
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

    #[test]
    fn programme_times_are_local_to_the_fair_unless_they_say_their_offset() {
        let tz: chrono_tz::Tz = "Africa/Casablanca".parse().expect("zone");
        let utc = |s: &str| ProgrammeTime::parse(s).and_then(|t| t.utc(tz));
        let at = |h: u32| d(2027, 2, 22).and_hms_opt(h, 0, 0).expect("time");
        // 22 February 2027 falls in Ramadan, when Morocco keeps UTC+0.
        assert_eq!(utc("2027-02-22T09:00"), Ok(at(9)));
        assert_eq!(utc("2027-02-22T09:00:00+01:00"), Ok(at(8)));
        let may = d(2027, 5, 3).and_hms_opt(8, 0, 0).expect("time");
        assert_eq!(utc("2027-05-03T09:00"), Ok(may));
        let bad = utc("2027-02-22T9").expect_err("refused");
        assert!(bad.contains("2027-02-22T09:00"), "{bad}");
    }
}
