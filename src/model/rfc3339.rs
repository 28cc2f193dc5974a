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

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A time as the tool writes it, or `None` for anything else.
fn tool_form(text: &str) -> Option<DateTime<Utc>> {
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
        fn any_text_in_the_shape_reads_as_chrono_reads_it(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz]"
        ) {
            prop_assert_eq!(parse(&text).ok(), chrono_reads(&text));
        }
    }
}
