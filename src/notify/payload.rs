//! The bodies each kind of webhook receives, made from an [`Event`]. Pure.
//!
//! - Slack incoming webhook: `text` (the notification's fallback) plus
//!   Block Kit blocks; every piece of text has `&`, `<` and `>` escaped, so
//!   nothing in a title or note can become `<!channel>` or a link.
//! - Microsoft Teams workflow webhook: a message with one Adaptive Card.
//! - Generic webhook and command: the event itself.

use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::event::{Event, EventKind};

/// Slack refuses a section whose text is longer than this.
const SLACK_SECTION_CHARS: usize = 3000;

/// The heading of a notification: `SEV1 declared: Checkout returns 500s`.
fn heading(event: &Event) -> String {
    let what = match event.kind {
        EventKind::Declared => "declared",
        EventKind::Severity => "severity changed",
        EventKind::Status => "status changed",
        EventKind::Handoff => "role handed off",
        EventKind::Summary => "summary",
        EventKind::Test => "test",
    };
    if event.kind == EventKind::Test {
        event.title.clone()
    } else if event.severity.is_empty() {
        format!("{what}: {}", event.title)
    } else {
        format!("{} {what}: {}", event.severity, event.title)
    }
}

/// The facts every card shows, as (name, value), leaving out empty ones.
fn facts(event: &Event) -> Vec<(&'static str, String)> {
    [
        ("Incident", event.incident.clone()),
        ("Severity", event.severity.clone()),
        ("Status", event.status.clone()),
        ("By", event.who.clone()),
        ("At", event.at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect()
}

/// Escapes the three characters Slack gives a meaning to in text
/// (`<!channel>`, `<@U123>`, `<https://…|link>`).
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A Slack incoming-webhook message.
pub fn slack(event: &Event) -> Value {
    let heading = slack_escape(&heading(event));
    let text = slack_escape(&event.text);
    let context = facts(event)
        .into_iter()
        .map(|(name, value)| format!("{name}: {}", slack_escape(&value)))
        .collect::<Vec<_>>()
        .join(" | ");
    let mut blocks = vec![
        json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": truncate(&format!("*{heading}*\n{text}"), SLACK_SECTION_CHARS),
            }
        }),
        json!({
            "type": "context",
            "elements": [{ "type": "mrkdwn", "text": context }]
        }),
    ];
    if let Some(summary) = &event.summary {
        blocks.push(json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": truncate(&slack_escape(summary), SLACK_SECTION_CHARS),
            }
        }));
    }
    json!({
        "text": format!("{heading}: {text}"),
        "blocks": blocks,
    })
}

/// A Microsoft Teams workflow ("Post to a channel when a webhook request is
/// received") message carrying one Adaptive Card.
pub fn teams(event: &Event) -> Value {
    let facts: Vec<Value> = facts(event)
        .into_iter()
        .map(|(title, value)| json!({ "title": title, "value": value }))
        .collect();
    let mut body = vec![
        json!({
            "type": "TextBlock",
            "text": heading(event),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": true,
        }),
        json!({ "type": "TextBlock", "text": event.text, "wrap": true }),
        json!({ "type": "FactSet", "facts": facts }),
    ];
    if let Some(summary) = &event.summary {
        body.push(json!({ "type": "TextBlock", "text": summary, "wrap": true }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            }
        }]
    })
}

/// The generic webhook's body, and what a command reads on stdin: the event.
pub fn generic(event: &Event) -> Value {
    serde_json::to_value(event)
        .expect("an event holds only strings, a number and a time, which always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::at;

    fn event() -> Event {
        Event {
            version: 1,
            kind: EventKind::Severity,
            incident: "2026-11-24-checkout".into(),
            title: "<!channel> & co".into(),
            severity: "SEV1".into(),
            status: "investigating".into(),
            text: "SEV2 -> SEV1: <https://evil.example|click>".into(),
            who: "Alice <Example>".into(),
            at: at("07:00"),
            summary: None,
        }
    }

    #[test]
    fn slack_escapes_every_text() {
        let payload = slack(&event());
        let text = payload.to_string();
        assert!(!text.contains("<!channel>"), "{text}");
        assert!(!text.contains("<https"), "{text}");
        assert!(text.contains("&lt;!channel&gt; &amp; co"), "{text}");
        insta::assert_json_snapshot!("slack_severity", payload);
    }

    #[test]
    fn slack_summary_is_a_section() {
        let mut event = event();
        event.kind = EventKind::Summary;
        event.text = "Internal summary published".into();
        event.summary = Some("*Status*: <@U123> investigating".into());
        insta::assert_json_snapshot!("slack_summary", slack(&event));
    }

    #[test]
    fn teams_is_an_adaptive_card() {
        insta::assert_json_snapshot!("teams_severity", teams(&event()));
    }

    #[test]
    fn a_test_event_leaves_out_empty_facts() {
        let event = Event::test("Alice", at("07:00"));
        insta::assert_json_snapshot!("teams_test", teams(&event));
        let slack = slack(&event);
        assert_eq!(
            slack["text"],
            "Test notification: incident can reach this target"
        );
    }

    #[test]
    fn generic_is_the_event() {
        let value = generic(&event());
        assert_eq!(value["kind"], "severity");
        assert_eq!(value["title"], "<!channel> & co");
        assert_eq!(value["at"], "2026-11-24T07:00:00Z");
        assert!(value.get("summary").is_none());
    }

    #[test]
    fn long_text_is_cut_for_slack() {
        let mut event = event();
        event.kind = EventKind::Summary;
        event.summary = Some("x".repeat(5000));
        let payload = slack(&event);
        let section = payload["blocks"][2]["text"]["text"].as_str().unwrap();
        assert_eq!(section.chars().count(), SLACK_SECTION_CHARS);
    }
}
