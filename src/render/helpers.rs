//! Helpers available to every template, one function each. `docs/templates.md`
//! lists them with examples.

use chrono::{DateTime, Local, TimeDelta, Utc};
use handlebars::{handlebars_helper, Handlebars};
use serde_json::Value;

use crate::model::duration;

pub(super) fn register(registry: &mut Handlebars<'_>) {
    registry.register_helper("duration", Box::new(duration_text));
    registry.register_helper("time", Box::new(time_utc));
    registry.register_helper("datetime", Box::new(datetime_utc));
    registry.register_helper("local", Box::new(datetime_local));
    registry.register_helper("of_kind", Box::new(of_kind));
    registry.register_helper("without_kind", Box::new(without_kind));
    registry.register_helper("first_line", Box::new(first_line));
    registry.register_helper("oneline", Box::new(oneline));
    registry.register_helper("mermaid_label", Box::new(mermaid_label));
}

fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

// `{{duration metrics.time_to_detect.seconds}}` → `1h 12m`, or `unknown` for null.
handlebars_helper!(duration_text: |seconds: Json| {
    seconds.as_i64().map_or_else(|| "unknown".to_string(), |s| duration::format(TimeDelta::seconds(s)))
});

// `{{time at}}` → `06:50 UTC`, or `unknown` for null.
handlebars_helper!(time_utc: |time: Json| {
    parse_time(time).map_or_else(|| "unknown".to_string(), |t| t.format("%H:%M UTC").to_string())
});

// `{{datetime at}}` → `2026-11-24 06:50 UTC`, or `unknown` for null.
handlebars_helper!(datetime_utc: |time: Json| {
    parse_time(time).map_or_else(|| "unknown".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
});

// `{{local at}}` → the time in the machine's time zone, `2026-11-24 07:50 +01:00`.
handlebars_helper!(datetime_local: |time: Json| {
    parse_time(time).map_or_else(
        || "unknown".to_string(),
        |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M %:z").to_string(),
    )
});

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

// `{{mermaid_label name}}` → the name without characters that end a mermaid
// gantt task name.
handlebars_helper!(mermaid_label: |text: str| {
    text.chars().filter(|c| !matches!(c, ':' | '#' | ';' | '\n' | '\r')).collect::<String>()
});

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
    fn a_bad_parameter_names_the_helper() {
        let mut registry = Handlebars::new();
        register(&mut registry);
        let err = registry
            .render_template("{{first_line n}}", &json!({"n": 3}))
            .unwrap_err();
        assert!(err.to_string().contains("first_line"), "{err}");
    }
}
