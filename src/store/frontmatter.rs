//! Splitting markdown files into YAML front matter and body, and the only use
//! of the YAML crate, so it can be swapped in one place.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::plain_yaml;
use crate::error::Error;

/// Parses a `---` fenced YAML header and returns it with the body that follows,
/// byte for byte.
pub fn parse<'a, T: DeserializeOwned>(path: &Path, source: &'a str) -> Result<(T, &'a str), Error> {
    let malformed = |line: usize, message: String| Error::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let (yaml, body) = split(source).ok_or_else(|| {
        malformed(1, "missing front matter: the file must start with a `---` line and the header must end with another".into())
    })?;
    let value = from_yaml(yaml).map_err(|(line, message)| {
        let message = explain_time(yaml.lines().nth(line.saturating_sub(1)), message);
        malformed(line + 1, message)
    })?;
    Ok((value, body))
}

/// chrono's words for a time it cannot read ("premature end of input")
/// say nothing of what to write instead: name the value and the form.
fn explain_time(line: Option<&str>, message: String) -> String {
    const CHRONO: [&str; 5] = [
        "premature end of input",
        "input contains invalid characters",
        "trailing input",
        "input is out of range",
        "input is not enough for unique date and time",
    ];
    let Some((key, value)) = line.and_then(|line| line.split_once(':')) else {
        return message;
    };
    if !CHRONO.iter().any(|words| message.ends_with(words)) {
        return message;
    }
    format!(
        "{}: `{}` is not a time this tool reads; write it in RFC 3339 with a zone, like `2026-11-25T14:50:00Z`",
        key.trim(),
        value.trim()
    )
}

/// A file made of a YAML header and a body.
pub fn render<T: Serialize>(header: &T, body: &str) -> Result<String, Error> {
    let yaml = to_yaml(header)?;
    Ok(format!("---\n{yaml}---\n{body}"))
}

/// As `render`, with the fields kept apart for merging (see `spaced`): for
/// front matter that several responders change at once.
pub fn render_spaced<T: Serialize>(header: &T, body: &str) -> Result<String, Error> {
    let plain = to_yaml(header)?;
    let spaced = spaced(&plain);
    // A blank line after a kept-newline block scalar (`|+`), such as a
    // multi-line value someone added by hand, would become part of it: the
    // spacing is only used when it reads back as the same data.
    let same = |a: &str, b: &str| {
        matches!(
            (from_yaml::<serde_json::Value>(a), from_yaml::<serde_json::Value>(b)),
            (Ok(x), Ok(y)) if x == y
        )
    };
    let yaml = if same(&plain, &spaced) { spaced } else { plain };
    Ok(format!("---\n{yaml}---\n{body}"))
}

/// The YAML with a blank line before each top-level key and between the
/// entries of `roles`. git merges changes that an unchanged line keeps apart,
/// so two clones that change different fields (one assigns the scribe, the
/// other adds an expert or raises the severity) merge without a conflict.
fn spaced(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 256);
    let mut in_roles = false;
    // After a block scalar that keeps trailing newlines (`|+`), a blank line
    // would join the value.
    let mut after_kept_block = false;
    for (n, line) in yaml.lines().enumerate() {
        // Blank lines belong to a block scalar (a multi-line value).
        let top_level = !line.is_empty() && !line.starts_with([' ', '-']);
        let role_entry = in_roles && line.starts_with("  ") && !line.starts_with("   ");
        let starts_key = top_level || role_entry;
        if n > 0 && starts_key && !out.ends_with(":\n") && !after_kept_block {
            out.push('\n');
        }
        if top_level {
            in_roles = line == "roles:" || line == "timestamps:";
        }
        if starts_key || line.trim_start().starts_with("- ") {
            let indicator = line.rsplit(' ').next().unwrap_or("");
            after_kept_block = indicator.starts_with("|+") || indicator.starts_with(">+");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Reads a whole YAML file, such as the policy.
pub fn parse_yaml<T: DeserializeOwned>(path: &Path, source: &str) -> Result<T, Error> {
    from_yaml(source).map_err(|(line, message)| Error::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Writes a value as YAML, such as the config file. Text that a YAML 1.1
/// reader would take for something else is quoted (see [`quote_for_yaml_1_1`]).
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, Error> {
    // Serialising plain structs of strings, numbers and lists cannot fail; if it
    // ever does, say so rather than write a damaged file.
    let cannot = |e: serde_norway::Error| Error::Malformed {
        path: "<memory>".into(),
        line: 0,
        message: format!("cannot write YAML: {e}"),
    };
    let plain = serde_norway::to_string(value).map_err(cannot)?;
    let mut tree = serde_norway::to_value(value).map_err(cannot)?;
    // A name that occurs nowhere in the text stands in for each string to
    // quote, so serde_norway lays the rest out exactly as before.
    let mut marker = String::from("incidentquoted");
    while plain.contains(&marker) {
        marker.push('x');
    }
    let mut quoted = Vec::new();
    mark_for_quoting(&mut tree, TOP_LEVEL_TIMES, &marker, &mut quoted);
    if quoted.is_empty() {
        return Ok(plain);
    }
    let mut yaml = serde_norway::to_string(&tree).map_err(cannot)?;
    for (n, text) in quoted.iter().enumerate() {
        let quoted = format!("'{}'", text.replace('\'', "''"));
        yaml = yaml.replacen(&format!("{marker}{n}z"), &quoted, 1);
    }
    Ok(yaml)
}

/// Replaces each string value that [`quote_for_yaml_1_1`] picks with
/// `<marker><n>z`, `n` its index in `quoted`. Keys are left alone, and so are
/// the times the tool writes (an entry's `at` and `due`, everything under
/// `timestamps`, an action's `due` and `done`): a YAML 1.1 reader reading
/// those as times reads them right. `times` names the keys holding times at
/// this level.
fn mark_for_quoting(
    value: &mut serde_norway::Value,
    times: &[&str],
    marker: &str,
    quoted: &mut Vec<String>,
) {
    use serde_norway::Value;
    match value {
        Value::String(text) if quote_for_yaml_1_1(text) => {
            let text = std::mem::replace(text, format!("{marker}{}z", quoted.len()));
            quoted.push(text);
        }
        Value::Sequence(items) => {
            for item in items {
                mark_for_quoting(item, &[], marker, quoted);
            }
        }
        Value::Mapping(map) => {
            let top = times == TOP_LEVEL_TIMES;
            for (key, item) in map.iter_mut() {
                let key = key.as_str();
                if key.is_some_and(|key| times.contains(&key)) {
                    continue;
                }
                match (top, key, item) {
                    (true, Some("actions"), Value::Sequence(actions)) => {
                        for action in actions {
                            mark_for_quoting(action, &["due", "done"], marker, quoted);
                        }
                    }
                    (_, _, item) => mark_for_quoting(item, &[], marker, quoted),
                }
            }
        }
        Value::Tagged(tagged) => mark_for_quoting(&mut tagged.value, &[], marker, quoted),
        _ => {}
    }
}

/// The top-level keys of the tool's front matter that hold its own times.
const TOP_LEVEL_TIMES: &[&str] = &["at", "due", "timestamps"];

/// Whether a string, written plain, would read as something other than a
/// string in YAML 1.1, which PyYAML, Jekyll and code hosts' front-matter
/// tables still follow: a boolean (`yes`, `Off`, `y`), null (`~`), a number
/// (`12:30` is base 60, `1_000` a thousand, `0777` octal, `.inf`) or a date
/// (`2026-11-24`). serde_norway reads YAML 1.2 and quotes only what 1.2
/// would misread. Errs on the side of quoting: quotes never change what the
/// tool reads back. Multi-line text is written as a block and never misread.
fn quote_for_yaml_1_1(text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    // `=` and `<<` are YAML 1.1's value and merge keys, which PyYAML refuses.
    let word = matches!(
        lower.as_str(),
        "" | "~" | "null" | "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "=" | "<<"
    );
    word || yaml_1_1_number(&lower) || yaml_1_1_timestamp(&lower)
}

/// Integers (decimal, `0b`, `0o`, `0x`, octal with a leading `0`, `_`
/// between digits, base 60 with `:`) and floats (with `.`, an exponent,
/// `.inf`, `.nan`), lowercased.
fn yaml_1_1_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let all = |digits: &str, radix: u32| {
        !digits.is_empty() && digits.chars().all(|c| c == '_' || c.is_digit(radix))
    };
    for (prefix, radix) in [("0b", 2), ("0o", 8), ("0x", 16)] {
        if let Some(digits) = unsigned.strip_prefix(prefix) {
            return all(digits, radix);
        }
    }
    if matches!(unsigned, ".inf" | ".nan") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let exponent_ok = exponent.is_none_or(|e| all(e.strip_prefix(['+', '-']).unwrap_or(e), 10));
    exponent_ok
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | ':' | '.'))
}

/// A date (`2026-11-24`) alone or followed by a time (`T06:50:00Z`,
/// ` 06:50:00 +01:00`), lowercased.
fn yaml_1_1_timestamp(text: &str) -> bool {
    let digits = |part: &str, min: usize, max: usize| {
        (min..=max).contains(&part.len()) && part.chars().all(|c| c.is_ascii_digit())
    };
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let day_len = rest.chars().take_while(char::is_ascii_digit).count();
    let (day, time) = rest.split_at(day_len);
    if !(digits(year, 4, 4) && digits(month, 1, 2) && digits(day, 1, 2)) {
        return false;
    }
    time.is_empty()
        || (time.starts_with(['t', ' ', '\t'])
            && time.contains(':')
            && time.chars().all(|c| {
                c.is_ascii_digit() || matches!(c, 't' | 'z' | ' ' | '\t' | ':' | '.' | '+' | '-')
            }))
}

/// `(yaml, body)` for a file starting with a `---` line; `None` if it has no
/// complete header.
fn split(source: &str) -> Option<(&str, &str)> {
    let rest = source
        .strip_prefix("---\n")
        .or_else(|| source.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// Parses YAML, reporting errors as `(1-based line within the YAML, message)`.
/// What the tool writes is read by [`plain_yaml`]; the rest, and anything
/// that does not fit `T` (so that errors read the same), by the YAML crate.
fn from_yaml<T: DeserializeOwned>(yaml: &str) -> Result<T, (usize, String)> {
    if let Some(value) = plain_yaml::parse(yaml) {
        if let Ok(parsed) = serde_json::from_value(value) {
            return Ok(parsed);
        }
    }
    serde_norway::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        let message = e.to_string();
        // The crate appends "at line N column M"; the line is in our prefix.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        (line, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `header` spaced, checks it reads back as the same data, and
    /// returns the rendering.
    fn spaced_round_trip(header: &serde_json::Value) -> String {
        let rendered = render_spaced(header, "").unwrap();
        let yaml = rendered
            .trim_start_matches("---\n")
            .trim_end_matches("---\n");
        let back: serde_json::Value = from_yaml(yaml).unwrap();
        assert_eq!(&back, header, "{rendered}");
        rendered
    }

    #[test]
    fn spacing_never_changes_a_value() {
        // serde_norway writes this with `|+`, where a blank line would count.
        spaced_round_trip(&serde_json::json!({"note": "two\nlines\n\n", "id": "x"}));

        // After a kept block the other keys are still spaced.
        let rendered = spaced_round_trip(
            &serde_json::json!({"a": "x", "kept": "k\n\n", "title": "t", "z": "y"}),
        );
        assert!(rendered.contains("\n\nz: 'y'\n"), "{rendered}");

        // A blank line inside a multi-line value is not a key: the value
        // stays as it was and the keys are still spaced.
        let rendered =
            spaced_round_trip(&serde_json::json!({"id": "x", "para": "a\n\nb", "title": "t"}));
        assert!(rendered.contains("\n\ntitle: t\n"), "{rendered}");
    }

    #[test]
    fn top_level_keys_and_roles_are_kept_apart_by_blank_lines() {
        let yaml = "id: x\nroles:\n  commander: a\n  support: null\nsmes:\n- name: b\n  area: c\ntimestamps:\n  started: null\n  detected: null\n";
        assert_eq!(
            spaced(yaml),
            "id: x\n\nroles:\n  commander: a\n\n  support: null\n\nsmes:\n- name: b\n  area: c\n\ntimestamps:\n  started: null\n\n  detected: null\n"
        );
    }
    /// What a YAML 1.1 reader takes for something other than a string.
    const MISREAD: [&str; 30] = [
        "yes",
        "Yes",
        "NO",
        "y",
        "N",
        "on",
        "Off",
        "oFF",
        "true",
        "False",
        "~",
        "null",
        "NULL",
        "",
        "12:30",
        "1:02:03",
        "1_000",
        "0777",
        "0o17",
        "0x1F",
        "0b101",
        "-12",
        "+1.5",
        "1e5",
        ".inf",
        "-.Inf",
        ".NaN",
        "2026-11-24",
        "2026-11-24T06:50:00Z",
        "2026-1-2 06:50:00",
    ];

    /// What serde_norway, a YAML 1.2 writer, leaves plain among those: the
    /// reason `to_yaml` quotes for itself.
    #[test]
    fn serde_norway_leaves_yaml_1_1_scalars_plain() {
        let plain: Vec<&str> = MISREAD
            .into_iter()
            .filter(|text| {
                let yaml = serde_norway::to_string(text).unwrap();
                !yaml.starts_with(['\'', '"'])
            })
            .collect();
        assert_eq!(
            plain,
            [
                "yes",
                "Yes",
                "NO",
                "y",
                "N",
                "on",
                "Off",
                "oFF",
                "12:30",
                "1:02:03",
                "1_000",
                "2026-11-24",
                "2026-11-24T06:50:00Z",
                "2026-1-2 06:50:00"
            ]
        );
    }

    /// Regression: a title, a name, a service or an owner written bare as
    /// `yes`, `Off`, `12:30`, `1_000` or `2026-11-24` read as a boolean, a
    /// number or a date in YAML 1.1 readers (PyYAML, Jekyll, code hosts).
    #[test]
    fn text_a_yaml_1_1_reader_would_misread_is_quoted_and_reads_back_the_same() {
        for text in MISREAD {
            let header = serde_json::json!({ "title": text, "services": [text] });
            let yaml = to_yaml(&header).unwrap();
            let quoted = format!("'{text}'");
            assert_eq!(
                yaml,
                format!("services:\n- {quoted}\ntitle: {quoted}\n"),
                "{text:?}"
            );
            let back: serde_json::Value = from_yaml(&yaml).unwrap();
            assert_eq!(back, header, "{yaml}");
        }
    }

    #[test]
    fn other_text_numbers_and_the_tools_times_stay_as_they_were() {
        let header = serde_json::json!({
            "at": "2026-11-24T06:50:00Z",
            "id": "2026-11-24-checkout_k3f9",
            "title": "It's 12:30 and yes, 1_000 errors",
            "names": ["Yessica", "Onno", "2026 team", "v1.2", "1.2.3-rc", "12:30pm", "10.0.0.1"],
            "note": "two\nlines",
            "format": 2,
            "drill": false,
            "owner": null,
            "timestamps": { "declared": "2026-11-24T06:50:00Z", "paged": "2026-11-24" },
            "due": "2026-12-10T23:59:59Z",
            "actions": [{
                "id": "1a2b3c4d",
                "due": "2026-12-10T23:59:59Z",
                "done": "2026-12-01T09:00:00Z",
            }],
        });
        let yaml = to_yaml(&header).unwrap();
        let plain = serde_norway::to_string(&header).unwrap();
        // Only the dotted address, a YAML 1.1 float, changes.
        assert_eq!(yaml, plain.replace("- 10.0.0.1", "- '10.0.0.1'"), "{yaml}");
        for bare in [
            "at: 2026-11-24T06:50:00Z",
            "due: 2026-12-10T23:59:59Z",
            "- done: 2026-12-01T09:00:00Z",
            "  due: 2026-12-10T23:59:59Z",
        ] {
            assert!(yaml.lines().any(|line| line == bare), "{bare}: {yaml}");
        }
        let back: serde_json::Value = from_yaml(&yaml).unwrap();
        assert_eq!(back, header);
    }

    #[test]
    fn a_text_that_holds_the_marker_is_still_quoted_right() {
        let header = serde_json::json!({ "a": "incidentquoted0z", "b": "yes" });
        assert_eq!(to_yaml(&header).unwrap(), "a: incidentquoted0z\nb: 'yes'\n");
    }

    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Header {
        title: String,
        count: u32,
    }

    #[test]
    fn splits_and_keeps_the_body_exactly() {
        let source = "---\ntitle: x\ncount: 2\n---\nbody\n---\nmore\r\n";
        let (header, body): (Header, _) = parse(Path::new("f.md"), source).unwrap();
        assert_eq!(
            header,
            Header {
                title: "x".into(),
                count: 2
            }
        );
        assert_eq!(body, "body\n---\nmore\r\n");
        assert_eq!(render(&header, body).unwrap(), source);
    }

    #[test]
    fn reports_the_file_line_of_a_yaml_error() {
        let source = "---\ntitle: x\ncount: [oops\n---\n";
        let err = parse::<Header>(Path::new("f.md"), source)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.md:3:") || err.starts_with("f.md:4:"),
            "{err}"
        );
    }

    #[test]
    fn missing_header_is_reported_at_line_one() {
        let err = parse::<Header>(Path::new("f.md"), "no header")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("f.md:1: missing front matter"), "{err}");
    }
}
