//! Splitting markdown files into YAML front matter and body, and the only use
//! of the YAML crate, so it can be swapped in one place.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

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

/// Writes a value as YAML, such as the config file.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, Error> {
    // Serialising plain structs of strings, numbers and lists cannot fail; if it
    // ever does, say so rather than write a damaged file.
    serde_norway::to_string(value).map_err(|e| Error::Malformed {
        path: "<memory>".into(),
        line: 0,
        message: format!("cannot write YAML: {e}"),
    })
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
fn from_yaml<T: DeserializeOwned>(yaml: &str) -> Result<T, (usize, String)> {
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
        assert!(rendered.contains("\n\nz: y\n"), "{rendered}");

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
