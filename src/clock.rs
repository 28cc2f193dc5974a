//! The current time, and times people type. `INCIDENT_NOW` fixes the clock so
//! that tests and replays of a record are repeatable.

use chrono::{DateTime, Local, NaiveTime, SubsecRound, TimeZone, Utc};

use crate::error::Error;

/// Now, to the second: records are read by people and a second is fine enough.
pub fn now() -> Result<DateTime<Utc>, Error> {
    match std::env::var("INCIDENT_NOW") {
        Ok(fixed) => parse_rfc3339(&fixed).ok_or(Error::InvalidTime(fixed)),
        Err(_) => Ok(Utc::now().trunc_subsecs(0)),
    }
}

/// Reads `--at`-style times: RFC 3339, or `HH:MM` meaning that time today in
/// local time (today as of `now`).
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    if let Some(time) = parse_rfc3339(text) {
        return Ok(time);
    }
    let wall = NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| Error::InvalidTime(text.to_string()))?;
    let today = now.with_timezone(&Local).date_naive();
    Local
        .from_local_datetime(&today.and_time(wall))
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| Error::InvalidTime(text.to_string()))
}

fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(0))
}

/// How a time is shown to people: UTC, to the minute.
pub fn format_utc(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Sub-second noise that keeps ids of entries written in the same second apart;
/// zero when the clock is fixed, so fixed-clock runs are repeatable.
pub fn entropy() -> u64 {
    if std::env::var_os("INCIDENT_NOW").is_some() {
        return 0;
    }
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    (nanos as u64) ^ u64::from(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_in_any_offset() {
        let now = Utc::now();
        let t = parse("2026-11-24T08:50:00+02:00", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T06:50:00+00:00");
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse("yesterday", Utc::now()).is_err());
        assert!(parse("25:00", Utc::now()).is_err());
    }
}
