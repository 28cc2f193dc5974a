//! Durations as people write them in runbooks (`15m`, `1h30m`) and read them in output (`1h 12m`).

use chrono::TimeDelta;

/// Parses `90s`, `15m`, `2h`, `1h30m`, `1d`; units may repeat in descending order.
pub fn parse(text: &str) -> Option<TimeDelta> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = TimeDelta::zero();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let amount: i64 = digits.parse().ok()?;
        digits.clear();
        total += match c {
            'd' => TimeDelta::try_days(amount)?,
            'h' => TimeDelta::try_hours(amount)?,
            'm' => TimeDelta::try_minutes(amount)?,
            's' => TimeDelta::try_seconds(amount)?,
            _ => return None,
        };
    }
    if !digits.is_empty() || total <= TimeDelta::zero() {
        return None;
    }
    Some(total)
}

/// Formats a duration for people: `45s`, `12m`, `1h 12m`, `2d 3h`.
pub fn format(duration: TimeDelta) -> String {
    let sign = if duration < TimeDelta::zero() {
        "-"
    } else {
        ""
    };
    let secs = duration.num_seconds().abs();
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let body = if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 && minutes == 0 {
        format!("{hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{secs}s")
    };
    format!("{sign}{body}")
}

/// How long ago `then` was, seen from `now`: `just now` within a minute,
/// `12m ago`, `1h 05m ago`; a time still ahead reads `in 3m`.
pub fn ago(then: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let delta = now - then;
    if delta.num_seconds().abs() < 60 {
        "just now".to_string()
    } else if delta < TimeDelta::zero() {
        format!("in {}", format(-delta))
    } else {
        format!("{} ago", format(delta))
    }
}

/// Formats a duration the way runbooks write it: `15m`, `1h`, `1h30m`, `1d`.
pub fn compact(duration: TimeDelta) -> String {
    let mut secs = duration.num_seconds().abs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_runbook_durations() {
        assert_eq!(parse("15m"), TimeDelta::try_minutes(15));
        assert_eq!(parse("1h30m"), TimeDelta::try_minutes(90));
        assert_eq!(parse("1d"), TimeDelta::try_hours(24));
        for bad in ["", "15", "m", "15x", "0m", "1.5h"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn compact_round_trips_through_parse() {
        for text in ["15m", "1h", "1h30m", "1d", "90s", "1d2h"] {
            assert_eq!(compact(parse(text).unwrap()), text.replace("90s", "1m30s"));
        }
    }

    #[test]
    fn says_how_long_ago() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T07:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(ago(now - TimeDelta::seconds(30), now), "just now");
        assert_eq!(ago(now - TimeDelta::minutes(12), now), "12m ago");
        assert_eq!(ago(now - TimeDelta::minutes(65), now), "1h 05m ago");
        assert_eq!(ago(now + TimeDelta::minutes(3), now), "in 3m");
    }

    #[test]
    fn formats_for_people() {
        let f = |secs| format(TimeDelta::try_seconds(secs).unwrap());
        assert_eq!(f(45), "45s");
        assert_eq!(f(12 * 60 + 5), "12m");
        assert_eq!(f(72 * 60), "1h 12m");
        assert_eq!(f(2 * 3600 + 30), "2h");
        assert_eq!(f(51 * 3600), "2d 3h");
        assert_eq!(f(-300), "-5m");
    }
}
