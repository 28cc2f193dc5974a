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

/// How far ahead of this machine's clock a recorded time may be: another
/// machine's clock, copied from, can run a little fast.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// How far back a time of day may fall to yesterday's reading. `23:55` typed
/// just after midnight is last night; `15:39` typed at 15:36 is a slip or a
/// clock running fast, and reading it as yesterday would record a time a day
/// off without anyone noticing.
pub const YESTERDAY_WITHIN: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// Reads `--at`-style times: RFC 3339, or `HH:MM` in local time meaning
/// today's reading when it is not in the future (give or take the skew),
/// else yesterday's when that is at most `YESTERDAY_WITHIN` ago. Anything
/// else is refused with both readings.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    if let Some(time) = parse_rfc3339(text) {
        return Ok(time);
    }
    let wall = time_of_day(text).ok_or_else(|| Error::InvalidTime(text.to_string()))?;
    let today = now.with_timezone(&Local).date_naive();
    let reading = |day: Option<chrono::NaiveDate>| {
        day.and_then(|day| Local.from_local_datetime(&day.and_time(wall)).earliest())
            .map(|local| local.with_timezone(&Utc))
    };
    let yesterday = reading(today.pred_opt());
    match reading(Some(today)) {
        Some(time) if time <= now + CLOCK_SKEW => Ok(time),
        today => match yesterday {
            Some(time) if now - time <= YESTERDAY_WITHIN => Ok(time),
            Some(yesterday) => Err(Error::AmbiguousTimeOfDay {
                text: text.trim().to_string(),
                today,
                yesterday,
            }),
            None => Err(Error::InvalidTime(text.to_string())),
        },
    }
}

/// Whether `text` is a time of day (`HH:MM`) rather than a full date and time.
pub fn is_time_of_day(text: &str) -> bool {
    time_of_day(text).is_some()
}

fn time_of_day(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// The RFC 3339 form of `time` in local time, to the second: what to pass
/// to `--at` to mean exactly that moment.
pub fn format_rfc3339_local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Reads a time something happened: as `parse`, and not in the future.
pub fn parse_past(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    let time = parse(text, now)?;
    if time > now + CLOCK_SKEW {
        return Err(Error::FutureTime(text.to_string()));
    }
    Ok(time)
}

/// Reads a due date: `YYYY-MM-DD` (the end of that day in local time), a
/// time in RFC 3339, or a span from now as runbooks write durations (`3d`).
/// A due date in the past is allowed: an action recorded late.
pub fn parse_due(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    let text = text.trim();
    if let Some(time) = parse_rfc3339(text) {
        return Ok(time);
    }
    if let Some(span) = crate::model::duration::parse(text) {
        return Ok(now + span);
    }
    let end_of_day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(23, 59, 59))
        .and_then(|end| Local.from_local_datetime(&end).latest());
    end_of_day
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| Error::InvalidDue(text.to_string()))
}

fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(0))
}

/// How a time is shown to people where the date matters: local time with
/// its offset, to the minute (`2026-11-24 07:50 +01:00`).
pub fn format_local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// The day of a time in local time (`2026-11-24`).
pub fn format_local_date(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%Y-%m-%d").to_string()
}

/// A time of day in local time with its offset (`07:50 +01:00`).
pub fn format_local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%H:%M %:z").to_string()
}

/// A time of day near now, in local time (`07:50`).
pub fn format_local_hm(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%H:%M").to_string()
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
    fn due_dates_are_days_times_or_spans() {
        let now: DateTime<Utc> = "2026-11-24T06:50:00Z".parse().unwrap();
        let day = parse_due("2026-12-10", now).unwrap();
        let local = day.with_timezone(&Local);
        assert_eq!(
            local.format("%Y-%m-%d %H:%M:%S").to_string(),
            "2026-12-10 23:59:59"
        );
        assert_eq!(
            parse_due("2026-12-01T09:00:00Z", now).unwrap().to_rfc3339(),
            "2026-12-01T09:00:00+00:00"
        );
        assert_eq!(
            parse_due("3d", now).unwrap(),
            now + chrono::TimeDelta::days(3)
        );
        // In the past is fine: the action was recorded late.
        assert!(parse_due("2020-01-01", now).is_ok());
        for bad in ["next week", "2026-13-01", "", "10/12/2026"] {
            assert!(
                matches!(parse_due(bad, now), Err(Error::InvalidDue(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_rfc3339_in_any_offset() {
        let now = Utc::now();
        let t = parse("2026-11-24T08:50:00+02:00", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T06:50:00+00:00");
    }

    #[test]
    fn hours_and_minutes_are_the_last_time_the_clock_read_that() {
        // TZ is not fixed here, so work in whatever the local zone is.
        let now = Local
            .with_ymd_and_hms(2026, 11, 24, 0, 10, 0)
            .unwrap()
            .with_timezone(&Utc);
        let last_night = Local
            .with_ymd_and_hms(2026, 11, 23, 23, 55, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse("23:55", now).unwrap(), last_night);
        assert_eq!(parse("00:10", now).unwrap(), now);
    }

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Local
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    // Issue 12: `--at 15:39` typed at 15:36 silently meant yesterday.
    #[test]
    fn a_time_of_day_ahead_of_the_clock_is_refused_with_both_readings() {
        let now = local(24, 15, 36);
        let err = parse("15:39", now).unwrap_err();
        let Error::AmbiguousTimeOfDay {
            today, yesterday, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*today, Some(local(24, 15, 39)));
        assert_eq!(*yesterday, local(23, 15, 39));
        assert!(err
            .hint()
            .unwrap()
            .contains(&format_rfc3339_local(local(23, 15, 39))));
        // Within the skew it is today; far enough ahead it is last night.
        assert_eq!(parse("15:37", now).unwrap(), local(24, 15, 37));
        assert!(parse("10:00", local(24, 3, 0)).is_err());
        assert!(parse("20:59", local(24, 3, 0)).is_err());
        assert_eq!(parse("21:00", local(24, 3, 0)).unwrap(), local(23, 21, 0));
        assert!(is_time_of_day(" 07:50") && !is_time_of_day("2026-11-24T07:50:00Z"));
    }

    #[test]
    fn times_in_the_future_are_not_things_that_happened() {
        let now = parse("2026-11-24T06:50:00Z", Utc::now()).unwrap();
        assert!(parse_past("2026-11-24T06:51:00Z", now).is_ok());
        assert!(matches!(
            parse_past("2026-11-24T07:30:00Z", now),
            Err(Error::FutureTime(_))
        ));
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse("yesterday", Utc::now()).is_err());
        assert!(parse("25:00", Utc::now()).is_err());
    }
}
