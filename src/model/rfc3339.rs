//! Reading the times in records. The tool writes every time as
//! `2026-03-14T09:56:00Z`; those are read here digit by digit, and any other
//! form goes to chrono exactly as its own serde support would (same
//! result, same error). chrono's general parser was a fifth of the time
//! `list --all` spent reading its cache, and a good part of reading a long
//! timeline.
//!
//! Use on record fields: `#[serde(deserialize_with = "rfc3339::deserialize")]`
//! and, for optional times, `rfc3339::deserialize_option`.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A time as the tool writes it, or `None` for anything else.
pub fn tool_form(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?;
    let time = date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(time.and_utc())
}

/// Reads `text` as a time, as chrono's `DateTime<Utc>` deserializer does.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match tool_form(text) {
        Some(time) => Ok(time),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|time| time.with_timezone(&Utc)),
    }
}

/// Writes a time as chrono's serde support does; whole seconds from year 0
/// to 9999 (every time the tool records) are written here, without
/// chrono's general formatting: a long timeline's template context holds
/// tens of thousands of them.
pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let year = time.year();
    if time.nanosecond() != 0 || !(0..=9999).contains(&year) {
        return time.serialize(serializer);
    }
    let mut text = [0u8; 20];
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year.unsigned_abs());
    put(5, 2, time.month());
    put(8, 2, time.day());
    put(11, 2, time.hour());
    put(14, 2, time.minute());
    put(17, 2, time.second());
    for (at, byte) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        text[at] = byte;
    }
    match std::str::from_utf8(&text) {
        Ok(text) => serializer.serialize_str(text),
        Err(_) => time.serialize(serializer),
    }
}

/// As [`serialize`], for an optional time.
pub fn serialize_option<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize(time, serializer),
        None => serializer.serialize_none(),
    }
}

struct Time(DateTime<Utc>);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = Time;

            // chrono's words, so that errors read as they did.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 formatted date and time string")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Time, E> {
                parse(text).map(Time).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(TimeVisitor)
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    Time::deserialize(deserializer).map(|time| time.0)
}

pub fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<Time>::deserialize(deserializer).map(|time| time.map(|time| time.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        serde_json::from_value::<DateTime<Utc>>(serde_json::Value::String(text.into())).ok()
    }

    #[test]
    fn the_tools_form_and_others_read_as_chrono_reads_them() {
        for text in [
            "2026-03-14T09:56:00Z",
            "2026-02-29T09:56:00Z",
            "2024-02-29T23:59:59Z",
            "2026-03-14T09:56:60Z",
            "2026-03-14t09:56:00z",
            "2026-03-14T09:56:00+01:00",
            "2026-03-14 09:56:00Z",
            "2026-03-14T09:56:00.5Z",
            "2026-13-14T09:56:00Z",
            "2026-03-14T24:00:00Z",
            "+2026-03-14T09:56:00Z",
            "2026-03-14",
        ] {
            assert_eq!(parse(text).ok(), chrono_reads(text), "{text}");
        }
    }

    #[test]
    fn errors_read_as_chronos() {
        for json in ["\"yesterday\"", "5"] {
            let ours = serde_json::from_str::<Time>(json)
                .err()
                .map(|e| e.to_string());
            let theirs = serde_json::from_str::<DateTime<Utc>>(json)
                .err()
                .map(|e| e.to_string());
            assert!(ours.is_some());
            assert_eq!(ours, theirs, "{json}");
        }
    }

    proptest! {
        #[test]
        fn a_time_is_written_as_chrono_writes_it(
            seconds in -70_000_000_000i64..300_000_000_000i64,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000],
        ) {
            let Some(time) = DateTime::from_timestamp(seconds, nanos) else {
                return Ok(());
            };
            let ours = serialize(&time, serde_json::value::Serializer).unwrap();
            prop_assert_eq!(ours, serde_json::to_value(time).unwrap());
            let ours = serialize_option(&Some(time), serde_json::value::Serializer).unwrap();
            prop_assert_eq!(ours, serde_json::to_value(Some(time)).unwrap());
        }

        #[test]
        fn any_text_in_the_shape_reads_as_chrono_reads_it(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz]"
        ) {
            prop_assert_eq!(parse(&text).ok(), chrono_reads(&text));
        }
    }
}
