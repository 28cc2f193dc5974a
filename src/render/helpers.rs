//! Helpers available to every template, one function each. `docs/templates.md`
//! lists them with examples.

use chrono::{DateTime, Local, TimeDelta, Timelike, Utc};
use handlebars::{
    handlebars_helper, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason,
};
use serde_json::Value;

use crate::model::{duration, rfc3339};

pub(super) fn register(registry: &mut Handlebars<'_>) {
    registry.register_helper("duration", Box::new(duration_text));
    registry.register_helper("time", Box::new(TIME));
    registry.register_helper("datetime", Box::new(DATETIME));
    registry.register_helper("local", Box::new(LOCAL));
    registry.register_helper("of_kind", Box::new(of_kind));
    registry.register_helper("without_kind", Box::new(without_kind));
    registry.register_helper("first_line", Box::new(first_line));
    registry.register_helper("oneline", Box::new(oneline));
    registry.register_helper("mermaid_text", Box::new(mermaid_text));
    registry.register_helper("mermaid_label", Box::new(mermaid_label));
    registry.register_helper("mermaid_section", Box::new(mermaid_section));
}

/// A helper's parameter that may be null (shown as `unknown`) or of the one
/// type the helper reads; anything else is an error naming the helper, so a
/// template that passes the wrong field fails instead of printing `unknown`.
fn write_optional(
    h: &Helper<'_>,
    out: &mut dyn Output,
    name: &'static str,
    expected: &str,
    read: impl Fn(&Value) -> Option<String>,
) -> HelperResult {
    let value = h
        .param(0)
        .map(|p| p.value())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
    let text = match value {
        Value::Null => "unknown".to_string(),
        other => read(other).ok_or_else(|| {
            RenderErrorReason::Other(format!(
                "helper `{name}` takes {expected} or null, not {}",
                json_type(other)
            ))
        })?,
    };
    out.write(&text)?;
    Ok(())
}

/// What a JSON value is, for an error: the value itself may be a whole timeline.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string that is not one",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A helper that prints an RFC 3339 time parameter in one format; `unknown`
/// for null.
struct TimeHelper {
    name: &'static str,
    format: fn(DateTime<Utc>) -> String,
}

impl HelperDef for TimeHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        write_optional(h, out, self.name, "an RFC 3339 time", |value| {
            let text = value.as_str()?;
            // Once for each entry a draft lists: the tool's own form quickly.
            let time = rfc3339::tool_form(text).or_else(|| {
                DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|time| time.with_timezone(&Utc))
            })?;
            Some((self.format)(time))
        })
    }
}

/// `{{time at}}` → `06:50 UTC`.
const TIME: TimeHelper = TimeHelper {
    name: "time",
    format: |t| format!("{:02}:{:02} UTC", t.hour(), t.minute()),
};

/// `{{datetime at}}` → `2026-11-24 06:50 UTC`.
const DATETIME: TimeHelper = TimeHelper {
    name: "datetime",
    format: |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
};

/// `{{local at}}` → the time in the machine's time zone, `2026-11-24 07:50 +01:00`.
const LOCAL: TimeHelper = TimeHelper {
    name: "local",
    format: |t| {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M %:z")
            .to_string()
    },
};

// `{{duration metrics.time_to_detect.seconds}}` → `1h 12m`, or `unknown` for null.
fn duration_text(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    write_optional(h, out, "duration", "a number of seconds", |value| {
        value
            .as_i64()
            .map(|seconds| duration::format(TimeDelta::seconds(seconds)))
    })
}

// `{{#each (of_kind incident.timeline "finding" "redefinition")}}` → the
// entries of those kinds, in order.
handlebars_helper!(of_kind: |entries: array, *args| {
    let kinds: Vec<&str> = args.iter().skip(1).filter_map(|k| k.as_str()).collect();
    entries
        .iter()
        .filter(|entry| entry["kind"].as_str().is_some_and(|k| kinds.contains(&k)))
        .cloned()
        .collect::<Vec<Value>>()
});

// `{{#each (without_kind due "start-item")}}` → the items of every other kind.
handlebars_helper!(without_kind: |items: array, *args| {
    let kinds: Vec<&str> = args.iter().skip(1).filter_map(|k| k.as_str()).collect();
    items
        .iter()
        .filter(|item| !item["kind"].as_str().is_some_and(|k| kinds.contains(&k)))
        .cloned()
        .collect::<Vec<Value>>()
});

// `{{first_line text}}` → the first non-blank line.
handlebars_helper!(first_line: |text: str| {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string()
});

// `{{oneline text}}` → the text on one line, for list items and table cells.
handlebars_helper!(oneline: |text: str| {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
});

// `{{mermaid_text incident.title}}` → the text on one line without the
// characters that end or comment out a mermaid gantt statement, safe after
// `title` or `section`, which take the rest of the line.
handlebars_helper!(mermaid_text: |text: str| gantt_text(text));

// `{{mermaid_label name}}` → the text safe as a gantt task name.
handlebars_helper!(mermaid_label: |text: str| gantt_task_name(text));

// `{{mermaid_section title}}` → the text safe after `section`, a line per
// word: mermaid draws section titles in a left column about ten characters
// wide, and a longer line runs under the bars that start at the chart's start.
handlebars_helper!(mermaid_section: |text: str| gantt_text(text).replace(' ', "<br>"));

/// `text` on one line, without `:` (it starts a task's data), `#` and `;`
/// (they end a statement in some mermaid versions) and `%` (a comment when
/// it starts a statement); `unnamed` if nothing is left, since a gantt
/// statement cannot be empty.
fn gantt_text(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | '#' | ';' | '%'))
        .collect();
    let line = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "unnamed".to_string()
    } else {
        line
    }
}

/// Words mermaid's gantt lexer reads as a statement when a line starts with
/// them followed by a space (or the end: the template puts a space after a
/// name), whatever their case.
const GANTT_WORDS: [&str; 14] = [
    "title",
    "section",
    "dateformat",
    "axisformat",
    "tickinterval",
    "includes",
    "excludes",
    "todaymarker",
    "weekday",
    "weekend",
    "accdescription",
    "click",
    "call",
    "href",
];

/// Words it reads as a statement even with letters after them: older
/// versions match them without a word boundary.
const GANTT_PREFIXES: [&str; 5] = [
    "gantt",
    "topaxis",
    "inclusiveenddates",
    "acctitle",
    "accdescr",
];

/// A task name is the start of a line, where the lexer tries its keywords
/// and dates first: a name starting with one (`Click Ops`, `section Ops`,
/// `2026-11-24 rota`) is put in typographic quotes (`“Click Ops”`), which no
/// keyword starts with, so it stays a name and still reads as one.
fn gantt_task_name(text: &str) -> String {
    let name = gantt_text(text);
    let lower = name.to_lowercase();
    let first_word = lower.split(' ').next().unwrap_or_default();
    let is_date = {
        let b = lower.as_bytes();
        b.len() >= 10
            && b[..10].iter().enumerate().all(|(n, c)| match n {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            })
    };
    if GANTT_WORDS.contains(&first_word)
        || GANTT_PREFIXES.iter().any(|p| lower.starts_with(p))
        || is_date
    {
        format!("“{name}”")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(template: &str, data: Value) -> String {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        register(&mut registry);
        registry.render_template(template, &data).unwrap()
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(render("{{duration s}}", json!({"s": 4320})), "1h 12m");
        assert_eq!(render("{{duration s}}", json!({"s": null})), "unknown");
        assert_eq!(
            render("{{time t}}", json!({"t": "2026-11-24T06:50:00Z"})),
            "06:50 UTC"
        );
        assert_eq!(render("{{datetime t}}", json!({"t": null})), "unknown");
    }

    #[test]
    fn filters_entries_by_kind() {
        let data = json!({"e": [
            {"kind": "note", "text": "a"},
            {"kind": "finding", "text": "b"},
            {"kind": "redefinition", "text": "c"}
        ]});
        let out = render(
            "{{#each (of_kind e \"finding\" \"redefinition\")}}{{text}};{{/each}}",
            data.clone(),
        );
        assert_eq!(out, "b;c;");
        let out = render(
            "{{#each (without_kind e \"note\")}}{{text}};{{/each}}",
            data,
        );
        assert_eq!(out, "b;c;");
    }

    #[test]
    fn text_helpers() {
        assert_eq!(
            render("{{first_line t}}", json!({"t": "\n  one\ntwo"})),
            "one"
        );
        assert_eq!(
            render("{{oneline t}}", json!({"t": "a\n b\r\n c"})),
            "a b c"
        );
        assert_eq!(
            render("{{mermaid_label t}}", json!({"t": "a: b #1"})),
            "a b 1"
        );
    }

    #[test]
    fn gantt_labels_never_read_as_gantt_syntax() {
        for (name, label) in [
            ("Alice Moreau", "Alice Moreau"),
            ("Click Ops", "“Click Ops”"),
            ("CLICK", "“CLICK”"),
            ("section Ops", "“section Ops”"),
            ("Title\tholder", "“Title holder”"),
            ("call centre", "“call centre”"),
            ("weekend friday", "“weekend friday”"),
            ("Ganttmann", "“Ganttmann”"),
            ("accTitle x", "“accTitle x”"),
            ("2026-11-24", "“2026-11-24”"),
            ("2026-11-24 rota", "“2026-11-24 rota”"),
            // Only a whole first word is a keyword.
            ("Callum", "Callum"),
            ("Titles team", "Titles team"),
            ("2026 team", "2026 team"),
            ("%%{init}%%", "{init}"),
            ("5% errors; #2: db", "5 errors 2 db"),
            ("a\nb", "a b"),
            (" : # ", "unnamed"),
        ] {
            assert_eq!(gantt_task_name(name), label, "{name:?}");
        }
    }

    #[test]
    fn section_titles_and_titles_are_one_safe_line() {
        assert_eq!(
            render("{{mermaid_section t}}", json!({"t": "Incident Commander"})),
            "Incident<br>Commander"
        );
        // After `title` a keyword or a date is just text.
        assert_eq!(
            render("{{mermaid_text t}}", json!({"t": "2026-11-24: click; #5%"})),
            "2026-11-24 click 5"
        );
    }

    #[test]
    fn a_parameter_of_the_wrong_type_is_an_error_naming_the_helper() {
        let mut registry = Handlebars::new();
        register(&mut registry);
        for (template, data) in [
            ("{{duration s}}", json!({"s": "abc"})),
            ("{{time t}}", json!({"t": "not a time"})),
            ("{{datetime t}}", json!({"t": 5})),
            ("{{local t}}", json!({"t": []})),
        ] {
            let err = registry.render_template(template, &data).unwrap_err();
            let helper = template.trim_start_matches("{{").split(' ').next().unwrap();
            assert!(
                err.to_string()
                    .contains(&format!("helper `{helper}` takes")),
                "{template}: {err}"
            );
        }
    }

    #[test]
    fn a_bad_parameter_names_the_helper() {
        let mut registry = Handlebars::new();
        register(&mut registry);
        let err = registry
            .render_template("{{first_line n}}", &json!({"n": 3}))
            .unwrap_err();
        assert!(err.to_string().contains("first_line"), "{err}");
    }
}
