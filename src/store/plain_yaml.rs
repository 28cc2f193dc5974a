//! The block YAML this tool writes, read without the YAML crate: mappings
//! and sequences laid out by indentation, plain scalars that can only mean
//! what they say, and `[]` and `{}`. Anything else (quotes, block scalars,
//! comments, flow collections, tags, anchors, tabs, a value continued on the
//! next line) is declined, and the caller reads the text with the YAML crate.
//!
//! Why: parsing YAML was most of the time `lint` and the commands on a long
//! timeline spent (a timeline entry took about 15 µs in the YAML crate,
//! most of it allocation), and every record the tool writes is in this
//! subset.
//!
//! What is read here must be exactly what the YAML crate reads: scalars
//! resolve as its untyped reading does (`null`, `true`, `false`, decimal
//! integers, everything else text), and a scalar it could read any other
//! way (`~`, `True`, `0x1f`, `1e5`, `007`, `.inf`) is declined.

use serde_json::{Map, Value};

/// `yaml` as a value when it is in the subset; `None` when the YAML crate
/// must read it.
pub(super) fn parse(yaml: &str) -> Option<Value> {
    let mut lines = Vec::new();
    for line in yaml.split('\n') {
        let content = line.trim_start_matches(' ');
        if content.is_empty() {
            continue; // blank lines separate nothing in block YAML
        }
        let indent = line.len() - content.len();
        if content.starts_with('#') || (indent == 0 && (content == "---" || content == "...")) {
            return None;
        }
        lines.push(Line { indent, content });
    }
    let mut reader = Reader {
        lines,
        next: 0,
        depth: 0,
    };
    if reader.peek()?.indent != 0 {
        return None;
    }
    let top = reader.mapping(0)?;
    // Everything must have been read: a line left over is indented in a way
    // the subset does not know.
    (reader.next == reader.lines.len()).then_some(top)
}

struct Line<'a> {
    indent: usize,
    content: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    next: usize,
    /// Mappings and sequences open around the one being read.
    depth: usize,
}

/// The YAML crate refuses a document nested deeper than 128 mappings and
/// sequences; the subset declines well before, so it never reads one.
const DEEPEST: usize = 100;

/// libyaml refuses a key longer than this.
const LONGEST_KEY: usize = 1024;

impl Reader<'_> {
    fn peek(&self) -> Option<&Line<'_>> {
        self.lines.get(self.next)
    }

    /// What `read` reads one level deeper, declined past [`DEEPEST`].
    fn deeper(&mut self, read: impl FnOnce(&mut Self) -> Option<Value>) -> Option<Value> {
        if self.depth == DEEPEST {
            return None;
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// A mapping whose keys are at `indent`.
    fn mapping(&mut self, indent: usize) -> Option<Value> {
        self.deeper(|reader| reader.mapping_entries(indent))
    }

    fn mapping_entries(&mut self, indent: usize) -> Option<Value> {
        let mut map = Map::new();
        while let Some(line) = self.lines.get(self.next) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.content) {
                return None;
            }
            let (key, rest) = split_key(line.content)?;
            self.next += 1;
            let value = match rest {
                "" => self.nested(indent)?,
                text => self.scalar_then(text, indent)?,
            };
            if map.insert(key.to_string(), value).is_some() {
                return None; // a duplicate key is an error for the YAML crate
            }
        }
        Some(Value::Object(map))
    }

    /// A sequence whose `- ` markers are at `indent`.
    fn sequence(&mut self, indent: usize) -> Option<Value> {
        self.deeper(|reader| reader.sequence_items(indent))
    }

    fn sequence_items(&mut self, indent: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.next) {
            if line.indent < indent || (line.indent == indent && !is_item(line.content)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let item = line.content.strip_prefix("- ")?;
            if item.starts_with(' ') {
                return None;
            }
            if split_key(item).is_some() {
                // `- key: value` opens a mapping whose keys line up with it.
                self.lines[self.next] = Line {
                    indent: indent + 2,
                    content: item,
                };
                items.push(self.mapping(indent + 2)?);
            } else {
                self.next += 1;
                items.push(self.scalar_then(item, indent)?);
            }
        }
        Some(Value::Array(items))
    }

    /// The value of a key at `indent` written on the lines below it.
    fn nested(&mut self, indent: usize) -> Option<Value> {
        let line = self.peek()?;
        match (line.indent, is_item(line.content)) {
            // The YAML crate writes a mapping's sequences without indenting them.
            (at, true) if at == indent => self.sequence(indent),
            (at, true) if at > indent => self.sequence(at),
            (at, false) if at > indent => self.mapping(at),
            _ => None, // an empty value: null to YAML, left to it
        }
    }

    /// A scalar for an entry at `indent`, which must not go on below it (a
    /// plain scalar may continue on more-indented lines).
    fn scalar_then(&mut self, text: &str, indent: usize) -> Option<Value> {
        if self.peek().is_some_and(|next| next.indent > indent) {
            return None;
        }
        scalar(text)
    }
}

fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// `(key, rest)` of a `key: value` or `key:` line; `None` if it is not one
/// with a key the subset accepts (ASCII letters, digits, `_`, `-`, `.`,
/// starting with a letter, and not a word YAML reads as other than text).
fn split_key(content: &str) -> Option<(&str, &str)> {
    let (key, rest) = content.split_once(':')?;
    let rest = match rest {
        "" => "",
        rest => rest.strip_prefix(' ').filter(|r| !r.is_empty())?,
    };
    let mut chars = key.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let ok = first_is_letter && rest_ok && key.len() <= LONGEST_KEY && special_word(key).is_none();
    ok.then_some((key, rest))
}

/// The words YAML reads as null or a boolean: `Some(true)` for the spelling
/// the subset reads, `Some(false)` for the others, which it declines.
fn special_word(text: &str) -> Option<bool> {
    match text {
        "null" | "true" | "false" => Some(true),
        "Null" | "NULL" | "True" | "TRUE" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A plain scalar's value, or `None` if the subset does not read it.
fn scalar(text: &str) -> Option<Value> {
    match text {
        "[]" => return Some(Value::Array(Vec::new())),
        "{}" => return Some(Value::Object(Map::new())),
        _ => {}
    }
    if let Some(quoted) = text.strip_prefix('\'') {
        return single_quoted(quoted).map(Value::String);
    }
    let first = text.chars().next()?;
    // Every indicator YAML gives meaning to at the start is ASCII punctuation.
    if !(first.is_ascii_alphanumeric() || (!first.is_ascii() && first.is_alphabetic())) {
        return None;
    }
    if text.ends_with([' ', ':'])
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(|c| !plain_char(c))
    {
        return None;
    }
    match special_word(text) {
        Some(true) => {
            return Some(match text {
                "null" => Value::Null,
                word => Value::Bool(word == "true"),
            })
        }
        Some(false) => return None,
        None => {}
    }
    // The YAML crate reads as a number what Rust reads as a float, and
    // integers in hex, octal and binary; of those, only plain decimal
    // integers are read here.
    let radix = ["0x", "0o", "0b"].iter().any(|p| text.starts_with(p));
    if radix || text.parse::<f64>().is_ok() {
        let decimal =
            text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
        return match decimal {
            true => text.parse::<u64>().ok().map(Value::from),
            false => None,
        };
    }
    Some(Value::String(text.to_string()))
}

/// The text of a single-quoted scalar on one line, given what follows its
/// opening quote: `''` stands for `'` and there are no other escapes. The
/// closing quote must end the line.
fn single_quoted(rest: &str) -> Option<String> {
    let inner = rest.strip_suffix('\'')?;
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.next() == Some('\'') => text.push('\''),
            '\'' => return None, // the quote ended before the line did
            c if quoted_char(c) => text.push(c),
            _ => return None,
        }
    }
    Some(text)
}

/// A character a single-quoted scalar may hold here: flow indicators, `#`
/// and `: ` mean nothing inside quotes.
fn quoted_char(c: char) -> bool {
    matches!(c, '[' | ']' | '{' | '}') || plain_char(c)
}

/// A character a plain scalar may hold here: printable to YAML, not a line
/// break to it (libyaml breaks lines at U+2028 and U+2029), and not a flow
/// indicator (allowed in block context, but declined to stay well inside
/// the rules).
fn plain_char(c: char) -> bool {
    match c {
        '[' | ']' | '{' | '}' => false,
        '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        ' '..='~' => true,
        '\u{A0}'..='\u{D7FF}' => true,
        '\u{E000}'..='\u{FFFD}' => true,
        c => c >= '\u{10000}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn crate_reads(yaml: &str) -> Option<Value> {
        serde_norway::from_str(yaml).ok()
    }

    #[test]
    fn reads_what_the_tool_writes() {
        let yaml = "format: 2\n\nid: 2026-03-14-x_984x\ntitle: 'Drill: it''s [down] # 2'\n\ndrill: false\n\nservices:\n- checkout\n\nroles:\n  commander: Carmen Ruiz\n\n  scribe: Bo\ntimestamps:\n  closed: null\npolicy:\n  blob: 1a701712a953b4d47cce02290914dd7fb9d9085a\nactions:\n- id: e7137061\n  text: Alert when it's 14 days.\n  due: 2026-03-28T23:59:59Z\n- id: 716956ef\n  changes:\n  - field: check:a.b\n    to: done\nsmes: []\n";
        let value = parse(yaml).expect("in the subset");
        assert_eq!(
            value,
            json!({
                "format": 2, "id": "2026-03-14-x_984x", "drill": false,
                "title": "Drill: it's [down] # 2",
                "services": ["checkout"],
                "roles": {"commander": "Carmen Ruiz", "scribe": "Bo"},
                "timestamps": {"closed": null},
                "policy": {"blob": "1a701712a953b4d47cce02290914dd7fb9d9085a"},
                "actions": [
                    {"id": "e7137061", "text": "Alert when it's 14 days.", "due": "2026-03-28T23:59:59Z"},
                    {"id": "716956ef", "changes": [{"field": "check:a.b", "to": "done"}]}
                ],
                "smes": []
            })
        );
        assert_eq!(crate_reads(yaml), Some(value));
    }

    #[test]
    fn declines_what_it_could_misread() {
        for yaml in [
            "a: 'quo'ted'\n",
            "a: 'unended\n",
            "a: 'two\n  lines'\n",
            "a: \"double\"\n",
            "a: |\n  block\n",
            "a: b\n  continued\n",
            "a: ~\n",
            "a: True\n",
            "a: 0x1f\n",
            "a: 1e5\n",
            "a: 007\n",
            "a: 1.5\n",
            "a: .inf\n",
            "a: x # comment\n",
            "# comment\na: b\n",
            "a:\n",
            "a: b\na: c\n",
            "a:\tb\n",
            "a: [b]\n",
            "a: *b\n",
            "- a\n",
            "  a: b\n",
            "a:\n  - b\n   - c\n",
            "a: b\u{2028}c\n",
            "a: b\r\n",
            "a: 99999999999999999999\n",
        ] {
            assert_eq!(parse(yaml), None, "{yaml:?}");
        }
    }

    /// Found in review: libyaml refuses a key of over 1,024 characters and
    /// serde_norway a document nested deeper than 128; the subset must not
    /// read either.
    #[test]
    fn declines_what_the_yaml_crate_refuses() {
        let long_key = format!("{}: b\n", "a".repeat(1025));
        assert_eq!(crate_reads(&long_key), None);
        assert_eq!(parse(&long_key), None);
        assert!(parse(&format!("{}: b\n", "a".repeat(1024))).is_some());
        let deep: String = (0..129).map(|n| format!("{}k:\n", " ".repeat(n))).collect();
        let deep = format!("{deep}{}k: v\n", " ".repeat(129));
        assert_eq!(crate_reads(&deep), None);
        assert_eq!(parse(&deep), None);
        let shallow: String = (0..20).map(|n| format!("{}k:\n", " ".repeat(n))).collect();
        assert!(parse(&format!("{shallow}{}k: v\n", " ".repeat(20))).is_some());
    }

    fn scalar_text() -> impl Strategy<Value = String> {
        prop_oneof![
            16 => "[a-zA-Z][a-zA-Z0-9 .,'-]{0,10}[a-z0-9]",
            8 => "[a-zA-Z0-9][a-zA-Z0-9 .,'\"#:@%`?!*&|>-]{0,10}[a-zA-Z0-9.]",
            2 => "[a-zA-Z0-9 :#'\"\\-.,\\[\\]{}!&*|>%@`~?]{0,12}",
            1 => "\\PC{0,8}",
            3 => "'[a-zA-Z' #:\\[\"]{0,8}'",
            1 => Just("null".to_string()),
            1 => Just("true".to_string()),
            1 => Just("0x1f".to_string()),
            1 => Just("1e5".to_string()),
            1 => Just("0123".to_string()),
            1 => Just("12".to_string()),
            1 => Just("2026-03-14T09:56:00Z".to_string()),
            1 => Just("nan".to_string()),
            1 => Just("inf".to_string()),
        ]
    }

    fn key_text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z][a-z_.-]{0,6}",
            1 => "[a-zA-Z0-9 ~:]{0,4}",
            1 => Just("true".to_string()),
        ]
    }

    /// Trees of maps, lists and texts.
    fn tree() -> impl Strategy<Value = Value> {
        let leaf = scalar_text().prop_map(Value::String);
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key_text(), inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// `value` written as block YAML the naive way, without quoting
    /// anything: much of it means something else to YAML.
    fn naive(value: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        Value::String(text) => out.push_str(&format!("{pad}{key}: {text}\n")),
                        Value::Array(items) if items.is_empty() => {
                            out.push_str(&format!("{pad}{key}: []\n"))
                        }
                        Value::Array(_) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            naive(value, indent, out);
                        }
                        _ => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            naive(value, indent + 2, out);
                        }
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::String(text) => out.push_str(&format!("{pad}- {text}\n")),
                        _ => {
                            let mut inner = String::new();
                            naive(item, indent + 2, &mut inner);
                            out.push_str(&format!("{pad}- {}", inner.trim_start()));
                        }
                    }
                }
            }
            other => out.push_str(&format!("{pad}{other}\n")),
        }
    }

    /// Block YAML, in and out of the subset: trees written naively, the
    /// same through the YAML crate's own writer, and loose lines.
    fn yaml_text() -> impl Strategy<Value = String> {
        let line = (
            0usize..6,
            prop_oneof![Just(""), Just("- ")],
            key_text(),
            prop_oneof![Just(": "), Just(":"), Just(": - ")],
            scalar_text(),
        )
            .prop_map(|(indent, item, key, colon, value)| {
                let value = if colon == ":" { String::new() } else { value };
                format!("{}{item}{key}{colon}{value}\n", " ".repeat(indent))
            });
        let map = || {
            proptest::collection::btree_map(key_text(), tree(), 1..5)
                .prop_map(|map| Value::Object(map.into_iter().collect()))
        };
        prop_oneof![
            2 => map().prop_map(|value| {
                let mut out = String::new();
                naive(&value, 0, &mut out);
                out
            }),
            1 => map().prop_map(|value| serde_norway::to_string(&value).unwrap_or_default()),
            1 => proptest::collection::vec(line, 1..8).prop_map(|lines| lines.concat()),
        ]
    }

    /// Whatever the subset reads, the YAML crate reads the same; and the
    /// generated texts reach the subset often enough for that to mean
    /// something.
    #[test]
    fn what_is_read_is_what_the_yaml_crate_reads() {
        use proptest::test_runner::{Config, TestRunner};
        let mut runner = TestRunner::new(Config::with_cases(4000));
        let read = std::cell::Cell::new(0);
        runner
            .run(&yaml_text(), |yaml| {
                if let Some(value) = parse(&yaml) {
                    read.set(read.get() + 1);
                    prop_assert_eq!(crate_reads(&yaml), Some(value), "{:?}", yaml);
                }
                Ok(())
            })
            .unwrap();
        assert!(
            read.get() > 200,
            "only {} of 4000 texts were read",
            read.get()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any text the tool writes as one value reads back as that text.
        #[test]
        fn a_scalar_read_is_the_crates_scalar(text in scalar_text()) {
            let yaml = format!("key: {text}\n");
            if let Some(value) = parse(&yaml) {
                prop_assert_eq!(crate_reads(&yaml), Some(value));
            }
        }
    }
}

#[cfg(test)]
mod examples {
    use super::*;
    use std::path::Path;

    fn front_matter(text: &str) -> Option<&str> {
        let rest = text.strip_prefix("---\n")?;
        let end = rest.find("\n---\n")?;
        Some(&rest[..=end])
    }

    fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, files);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }

    /// The example records are what the tool writes: every header of them
    /// is in the subset, and reads as the YAML crate reads it.
    #[test]
    fn every_example_record_is_read_here_and_the_same() {
        let mut files = Vec::new();
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents"),
            &mut files,
        );
        let mut headers = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let Some(yaml) = front_matter(&text) else {
                continue;
            };
            headers += 1;
            let ours =
                parse(yaml).unwrap_or_else(|| panic!("{} not in the subset", path.display()));
            let theirs: Value = serde_norway::from_str(yaml).unwrap();
            assert_eq!(ours, theirs, "{}", path.display());
        }
        assert!(headers > 50, "only {headers} example headers");
    }
}
