//! What the tool renders for people: handlebars set-up, the helpers templates
//! may use, and the view structs they render. `--json` prints the same views.

pub mod dashboard;
mod helpers;
pub mod view;

use anyhow::Result;
use handlebars::{Context, Handlebars, RenderErrorReason};

use crate::error::Error;
use crate::store::{Source, Store};
use view::RecordContext;

/// The templates the tool renders, by file name.
pub const TEMPLATES: [&str; 3] = ["summary.md.hbs", "update.md.hbs", "rca.md.hbs"];

/// One template, ready to render.
pub struct Renderer {
    registry: Handlebars<'static>,
    name: String,
    origin: String,
}

impl Renderer {
    /// Loads a template: the repository's `templates/<name>` if there is one,
    /// else the built-in default.
    pub fn load(store: &Store, name: &str) -> Result<Renderer> {
        let source = store.template_source(name)?;
        Renderer::from_source(name, &source)
    }

    fn from_source(name: &str, source: &Source) -> Result<Renderer> {
        let mut registry = Handlebars::new();
        // A misspelt field must be an error, not an empty string.
        registry.set_strict_mode(true);
        // The output is markdown: `&`, `<` and `"` stay as written.
        registry.register_escape_fn(handlebars::no_escape);
        helpers::register(&mut registry);
        let origin = source.origin_path().display().to_string();
        registry
            .register_template_string(name, &source.text)
            .map_err(|e| Error::Template {
                origin: origin.clone(),
                position: e.pos(),
                message: e.reason().to_string(),
            })?;
        Ok(Renderer {
            registry,
            name: name.to_string(),
            origin,
        })
    }

    /// Renders the template with a record's context.
    pub fn render(&self, context: &RecordContext<'_>) -> Result<String> {
        let value = context
            .to_value()
            .map_err(|e| anyhow::anyhow!("cannot make the template's context: {e}"))?;
        self.render_value(value)
    }

    fn render_value(&self, value: serde_json::Value) -> Result<String> {
        let context = Context::from(value);
        let rendered = self.registry.render_with_context(&self.name, &context);
        // The context is a JSON tree as big as the record: freeing it one
        // small map at a time was a quarter of `rca`'s time on a
        // 10,000-entry incident. Another thread frees it while this one
        // prints; if the command ends first, the process takes it back whole.
        // Without a thread to spare, the failed spawn frees it here.
        let _ = std::thread::Builder::new().spawn(move || drop(context));
        rendered.map_err(|e| {
            Error::Template {
                origin: self.origin.clone(),
                position: e.line_no.zip(e.column_no),
                message: explain(e.reason()),
            }
            .into()
        })
    }
}

/// Says what went wrong in the template author's terms.
fn explain(reason: &RenderErrorReason) -> String {
    match reason {
        RenderErrorReason::MissingVariable(Some(name)) => {
            format!("no field `{name}` (templates run in strict mode; docs/templates.md lists the fields)")
        }
        // handlebars does not say which one when a helper's parameter is missing.
        RenderErrorReason::MissingVariable(None) => {
            "a helper was given a field that does not exist (templates run in strict mode; docs/templates.md lists the fields)".to_string()
        }
        RenderErrorReason::HelperNotFound(name) => {
            format!("no helper `{name}` (docs/templates.md lists the helpers)")
        }
        RenderErrorReason::ParamTypeMismatchForName(helper, param, expected) => {
            format!("helper `{helper}`: parameter `{param}` must be {expected}")
        }
        RenderErrorReason::ParamNotFoundForName(helper, param) => {
            format!("helper `{helper}`: missing parameter `{param}`")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn renderer(text: &str) -> Renderer {
        let source = Source {
            text: text.to_string(),
            path: "templates/t.md.hbs".into(),
            from_repository: true,
        };
        Renderer::from_source("t.md.hbs", &source).unwrap()
    }

    #[test]
    fn markdown_is_not_escaped() {
        let out = renderer("{{text}}")
            .render_value(json!({"text": "a & b <c> \"d\" 'e'"}))
            .unwrap();
        assert_eq!(out, "a & b <c> \"d\" 'e'");
    }

    #[test]
    fn a_misspelt_field_names_template_line_and_field() {
        let err = renderer("line one\n{{incident.titel}}")
            .render_value(json!({"incident": {"title": "x"}}))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("templates/t.md.hbs:2:"), "{err}");
        assert!(err.contains("`incident.titel`"), "{err}");
    }

    #[test]
    fn a_broken_template_is_reported_where_it_breaks() {
        let source = Source {
            text: "ok\n{{#if x}}\nno end".into(),
            path: "templates/t.md.hbs".into(),
            from_repository: true,
        };
        let err = Renderer::from_source("t.md.hbs", &source)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("templates/t.md.hbs:"), "{err}");
    }
}
