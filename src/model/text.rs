//! Rules for short text people give on the command line: names and titles
//! are one line; commit subjects and listings take the first line.

use crate::error::Error;

/// A name or short value given on the command line, trimmed: one line, not
/// empty (`missing` says what is needed). Names land in front matter, commit
/// messages and tables, where a line break would do damage.
pub fn one_line<'a>(text: &'a str, missing: &str) -> Result<&'a str, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::MissingValue(missing.to_string()));
    }
    if text.contains(char::is_control) {
        return Err(Error::NotOneLine(text.escape_debug().to_string()));
    }
    Ok(text)
}

/// One line of text for a commit message or a listing.
pub fn first_line(text: &str, max_chars: usize) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

/// Longest summary a commit subject carries after `<id>: `, so that
/// `git log --oneline` stays one readable line whatever a note or name holds.
pub const SUBJECT_SUMMARY_CHARS: usize = 80;

/// The subject of a recording command's commit: `<id>: <summary>`, the
/// summary's first line cut to `SUBJECT_SUMMARY_CHARS`.
pub fn commit_subject(id: &str, summary: &str) -> String {
    format!("{id}: {}", first_line(summary, SUBJECT_SUMMARY_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(one_line("  bob ", "need a name").unwrap(), "bob");
        assert!(matches!(
            one_line("  ", "need a name"),
            Err(Error::MissingValue(_))
        ));
        assert!(matches!(
            one_line("a\nb", "need a name"),
            Err(Error::NotOneLine(_))
        ));
    }

    #[test]
    fn first_line_skips_blank_lines_and_cuts_long_ones() {
        assert_eq!(first_line("\n  hello \nworld", 60), "hello");
        assert_eq!(first_line("abcdef", 4), "abc…");
    }

    #[test]
    fn commit_subjects_are_one_capped_line() {
        assert_eq!(
            commit_subject("2026-11-24-x", "note: first\nsecond"),
            "2026-11-24-x: note: first"
        );
        let long = commit_subject("2026-11-24-x", &"a".repeat(300));
        assert_eq!(
            long.chars().count(),
            "2026-11-24-x: ".len() + SUBJECT_SUMMARY_CHARS
        );
        assert!(long.ends_with('…'));
    }
}
