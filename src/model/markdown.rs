//! Reading markdown task lists: the one place that sets pulldown-cmark's options.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The parser every markdown reader in the tool uses.
pub fn parser(source: &str) -> Parser<'_> {
    Parser::new_ext(source, Options::ENABLE_TASKLISTS)
}

/// A `- [ ]` item found in a markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    /// Whether the box is ticked.
    pub checked: bool,
    /// Byte range of the `[ ]` / `[x]` marker in the source.
    pub marker: Range<usize>,
    /// 1-based line of the item.
    pub line: usize,
    /// The item's text without markup and without its attribute comment.
    pub text: String,
    /// The item's markdown source after the box, on one line, without its
    /// attribute comment: what to copy when the item moves to another file.
    pub markdown: String,
    /// The tokens of the item's trailing `<!-- ... -->` comment.
    pub attributes: Vec<String>,
    /// Text of the closest level-2 heading above the item, if any.
    pub section: Option<String>,
    /// 1-based line of that heading.
    pub section_line: usize,
}

impl TaskItem {
    /// Value of a `key:value` attribute.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find_map(|token| {
            token
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
        })
    }

    /// Whether a bare flag attribute such as `required` is present.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.attributes.iter().any(|token| token == flag)
    }
}

/// A level-2 heading and its line, for documents organised in sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub line: usize,
}

/// The level-2 headings of a document, in order.
pub fn sections(source: &str) -> Vec<Section> {
    let mut found = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut lines = LineCounter::new(source);
    for (event, range) in parser(source).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => current = Some((String::new(), lines.line_of(range.start))),
            Event::Text(text) | Event::Code(text) => {
                if let Some((title, _)) = current.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((title, line)) = current.take() {
                    found.push(Section {
                        title: title.trim().to_string(),
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    found
}

/// Every task-list item in the document, in source order. One pass: an
/// item's section is the last level-2 heading starting on its line or
/// before, and every such heading has ended by the time the item has.
pub fn task_items(source: &str) -> Vec<TaskItem> {
    let mut headings: Vec<Section> = Vec::new();
    let mut heading: Option<(String, usize)> = None;
    let mut lines = LineCounter::new(source);
    let mut items = Vec::new();
    // Items nest; the stack holds the item being read at each depth.
    let mut stack: Vec<TaskItem> = Vec::new();
    let mut is_task: Vec<bool> = Vec::new();
    for (event, range) in parser(source).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => heading = Some((String::new(), lines.line_of(range.start))),
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((title, line)) = heading.take() {
                    headings.push(Section {
                        title: title.trim().to_string(),
                        line,
                    });
                }
            }
            Event::Start(Tag::Item) => {
                stack.push(TaskItem {
                    checked: false,
                    marker: 0..0,
                    line: lines.line_of(range.start),
                    text: String::new(),
                    markdown: String::new(),
                    attributes: Vec::new(),
                    section: None,
                    section_line: 0,
                });
                is_task.push(false);
            }
            Event::TaskListMarker(checked) => {
                if let (Some(item), Some(task)) = (stack.last_mut(), is_task.last_mut()) {
                    item.checked = checked;
                    item.marker = range;
                    *task = true;
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((title, _)) = heading.as_mut() {
                    title.push_str(&text);
                }
                if let Some(item) = stack.last_mut() {
                    item.text.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = stack.last_mut() {
                    item.text.push(' ');
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                if let (Some(item), Some(tokens)) = (stack.last_mut(), comment_tokens(&html)) {
                    item.attributes.extend(tokens);
                }
            }
            Event::End(TagEnd::Item) => {
                if let (Some(mut item), Some(true)) = (stack.pop(), is_task.pop()) {
                    if let Some(section) = headings.iter().rev().find(|s| s.line <= item.line) {
                        item.section = Some(section.title.clone());
                        item.section_line = section.line;
                    }
                    item.text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    item.markdown = first_paragraph(&source[item.marker.end..range.end]);
                    items.push(item);
                }
            }
            _ => {}
        }
    }
    items.sort_by_key(|item| item.marker.start);
    items
}

/// Each line of `source` with its byte offset and, for a level-1 or level-2
/// heading outside code fences, the heading's title. Sections of `incident.md`
/// run from one such heading to the next.
fn lines_with_headings(source: &str) -> Vec<(usize, &str, Option<&str>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut fence: Option<&str> = None;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let mut heading = None;
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
        } else if trimmed.starts_with("# ") || trimmed.starts_with("## ") {
            heading = Some(trimmed.trim_start_matches('#').trim());
        }
        out.push((offset, line, heading));
        offset += line.len();
    }
    out
}

/// Whether `text`, put into a section, would break the sections around it:
/// a level-1 or level-2 heading outside code fences ends the section, and a
/// code fence left open hides every heading after it.
pub fn breaks_sections(text: &str) -> bool {
    lines_with_headings(text)
        .iter()
        .any(|(_, _, heading)| heading.is_some())
        || lines_with_headings(&format!("{text}\n## end\n"))
            .last()
            .is_some_and(|(_, _, heading)| heading.is_none())
}

/// The text under a `## title` heading, up to the next level-1 or level-2
/// heading, with HTML comments removed and surrounding blank lines trimmed.
pub fn section_text(source: &str, title: &str) -> String {
    let mut inside = false;
    let mut lines = Vec::new();
    for (_, line, heading) in lines_with_headings(source) {
        if let Some(heading) = heading {
            inside = heading.eq_ignore_ascii_case(title);
            continue;
        }
        if inside {
            lines.push(line.trim_end_matches(['\n', '\r']));
        }
    }
    strip_comments(&lines.join("\n")).trim().to_string()
}

/// The source with the text under `## title` replaced by `text`; every other
/// byte stays. A missing section is added at the end.
pub fn replace_section(source: &str, title: &str, text: &str) -> String {
    let mut start = None;
    let mut end = source.len();
    for (offset, line, heading) in lines_with_headings(source) {
        let Some(heading) = heading else { continue };
        if start.is_some() {
            end = offset;
            break;
        }
        if heading.eq_ignore_ascii_case(title) {
            start = Some(offset + line.len());
        }
    }
    let text = text.trim_end_matches(['\n', '\r']);
    match start {
        Some(start) => {
            let after = if end < source.len() { "\n" } else { "" };
            format!("{}\n{text}\n{after}{}", &source[..start], &source[end..])
        }
        None => {
            let gap = if source.ends_with('\n') { "" } else { "\n" };
            format!("{source}{gap}\n## {title}\n\n{text}\n")
        }
    }
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out
}

/// The first paragraph of an item's source, joined onto one line, with HTML
/// comments removed.
fn first_paragraph(source: &str) -> String {
    let paragraph = source.split("\n\n").next().unwrap_or_default();
    let mut text = String::new();
    let mut rest = paragraph;
    while let Some(start) = rest.find("<!--") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The whitespace-separated tokens of an HTML comment, or `None` for other HTML.
fn comment_tokens(html: &str) -> Option<Vec<String>> {
    let inner = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?;
    Some(inner.split_whitespace().map(str::to_string).collect())
}

/// The 1-based line of the first of git's conflict markers, when the text
/// holds a whole conflict: `<<<<<<< `, then `=======`, then `>>>>>>> `, each
/// at the start of a line. A lone marker-like line is someone's text.
pub fn conflict_line(source: &str) -> Option<usize> {
    let marker = |line: &str, mark: &str| {
        line.strip_prefix(mark)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    let mut start = None;
    let mut middle = false;
    for (n, line) in source.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if marker(line, "<<<<<<<") {
            start = Some(n + 1);
            middle = false;
        } else if start.is_some() && line == "=======" {
            middle = true;
        } else if middle && marker(line, ">>>>>>>") {
            return start;
        }
    }
    None
}

/// One side of a text with git's conflict markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The branch merged into (`<<<<<<<` to `=======`).
    Ours,
    /// The branch merged in (`=======` to `>>>>>>>`).
    Theirs,
}

/// The text with each conflict replaced by what `settle` makes of its two
/// sides (lines with their endings; the base of a `diff3` conflict is left
/// out). Text outside conflicts stays byte for byte.
pub fn settle_conflicts(
    source: &str,
    mut settle: impl FnMut(&[&str], &[&str]) -> Vec<String>,
) -> String {
    let is_marker = |line: &str, mark: &str| {
        let line = line.trim_end_matches(['\n', '\r']);
        line.strip_prefix(mark)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    enum In {
        Text,
        Ours,
        Base,
        Theirs,
    }
    let mut out = String::with_capacity(source.len());
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut state = In::Text;
    for line in source.split_inclusive('\n') {
        state = match state {
            In::Text if is_marker(line, "<<<<<<<") => In::Ours,
            In::Text => {
                out.push_str(line);
                In::Text
            }
            In::Ours | In::Base if is_marker(line, "=======") => In::Theirs,
            In::Ours if is_marker(line, "|||||||") => In::Base,
            In::Ours => {
                ours.push(line);
                In::Ours
            }
            In::Base => In::Base,
            In::Theirs if is_marker(line, ">>>>>>>") => {
                for settled in settle(&ours, &theirs) {
                    out.push_str(&settled);
                }
                ours.clear();
                theirs.clear();
                In::Text
            }
            In::Theirs => {
                theirs.push(line);
                In::Theirs
            }
        };
    }
    // An unfinished conflict is somebody's text: keep it as it was.
    if !matches!(state, In::Text) {
        return source.to_string();
    }
    out
}

/// The text as one side of every conflict in it had it.
pub fn side(source: &str, side: Side) -> String {
    settle_conflicts(source, |ours, theirs| {
        let lines = match side {
            Side::Ours => ours,
            Side::Theirs => theirs,
        };
        lines.iter().map(|line| line.to_string()).collect()
    })
}

/// 1-based line numbers of offsets asked for in increasing order, counted
/// on from the last one (a long checklist asks for one per item).
struct LineCounter<'a> {
    source: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(source: &'a str) -> Self {
        LineCounter {
            source: source.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.source.len());
        if offset < self.offset {
            // Not in order after all: count from the start.
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.source[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_found_only_whole() {
        let conflict = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> theirs\nd\n";
        assert_eq!(conflict_line(conflict), Some(2));
        let diff3 = "<<<<<<< ours\nb\n||||||| base\na\n=======\nc\n>>>>>>> theirs\n";
        assert_eq!(conflict_line(diff3), Some(1));
        for text in [
            "=======\n",
            "<<<<<<< HEAD\nonly a start\n",
            "a\n=======\n>>>>>>> x\n",
        ] {
            assert_eq!(conflict_line(text), None, "{text:?}");
        }
    }

    const DOC: &str = "# Title\n\n## start\n\n- [ ] Confirm `roles` <!-- id:confirm required -->\n\n- [x] Elect a scribe\n  today\n\n## during\n\n- plain item\n- [ ] Capture SMEs <!-- id:smes only:customer -->\n";

    #[test]
    fn finds_task_items_with_markers_sections_and_attributes() {
        let items = task_items(DOC);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].text, "Confirm roles");
        assert_eq!(items[0].markdown, "Confirm `roles`");
        assert_eq!(items[1].markdown, "Elect a scribe today");
        assert_eq!(&DOC[items[0].marker.clone()], "[ ]");
        assert_eq!(items[0].attribute("id"), Some("confirm"));
        assert!(items[0].has_flag("required"));
        assert_eq!(items[0].section.as_deref(), Some("start"));
        assert_eq!(items[0].line, 5);
        assert!(items[1].checked);
        assert_eq!(items[1].text, "Elect a scribe today");
        assert_eq!(&DOC[items[1].marker.clone()], "[x]");
        assert_eq!(items[2].section.as_deref(), Some("during"));
        assert_eq!(items[2].attribute("only"), Some("customer"));
    }

    #[test]
    fn section_text_stops_at_the_next_heading_and_drops_comments() {
        let body = "\n# T\n\n## Description\n\nIt broke.\n<!-- hint -->\n\n## Current impact\n\n<!-- hint -->\nSlow `x`.\n```\n## not a heading\n```\n";
        assert_eq!(section_text(body, "description"), "It broke.");
        assert_eq!(
            section_text(body, "Current impact"),
            "Slow `x`.\n```\n## not a heading\n```"
        );
        assert_eq!(section_text(body, "missing"), "");
    }

    #[test]
    fn replace_section_changes_only_that_section() {
        let body = "\n# T\n\n## Current impact\n\n<!-- hint -->\n\n## Notes\n\nkeep\r\n";
        let replaced = replace_section(body, "Current impact", "EU cards fail.\n");
        assert_eq!(
            replaced,
            "\n# T\n\n## Current impact\n\nEU cards fail.\n\n## Notes\n\nkeep\r\n"
        );
        let last = replace_section("## Current impact\n\nold\n", "Current impact", "new");
        assert_eq!(last, "## Current impact\n\nnew\n");
        let added = replace_section("# T", "Current impact", "new");
        assert_eq!(added, "# T\n\n## Current impact\n\nnew\n");
    }

    #[test]
    fn sections_have_lines() {
        let found = sections(DOC);
        assert_eq!(
            found,
            vec![
                Section {
                    title: "start".into(),
                    line: 3
                },
                Section {
                    title: "during".into(),
                    line: 10
                }
            ]
        );
    }

    #[test]
    fn each_side_of_a_conflict_reads_back() {
        let merged =
            "a\n<<<<<<< HEAD\nours\n||||||| base\nold\n=======\ntheirs\nmore\n>>>>>>> b\nz\n";
        assert_eq!(side(merged, Side::Ours), "a\nours\nz\n");
        assert_eq!(side(merged, Side::Theirs), "a\ntheirs\nmore\nz\n");
        let both = settle_conflicts(merged, |o, t| {
            o.iter().chain(t).map(|l| l.to_string()).collect()
        });
        assert_eq!(both, "a\nours\ntheirs\nmore\nz\n");
        // No conflict, or half of one: the text as it is.
        for text in ["plain\n", "<<<<<<< x\nnot closed\n"] {
            assert_eq!(side(text, Side::Theirs), text);
        }
    }
}
