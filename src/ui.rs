//! The person at the terminal: whether one is there, text they type (an
//! argument, standard input or their editor), what commands print for people
//! (with control characters from the record escaped) and for programs
//! (`--json`), and whether and how that text is coloured.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, IsTerminal, Write};

use anyhow::{bail, Context, Result};

use crate::error::Error;

/// Whether a person is at the keyboard: prompts and editors need both ends.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Text given as an argument, `-` for standard input, or written in
/// $VISUAL/$EDITOR when there is neither and a person is at a terminal.
/// Empty text is an error.
pub fn read_text_argument(argument: Option<&str>) -> Result<String> {
    let text = match argument {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read standard input (it must be UTF-8)")?;
            text
        }
        Some(text) => text.to_string(),
        None if interactive() => dialoguer::Editor::new()
            .edit("")
            .context("cannot run the editor; set $VISUAL or $EDITOR")?
            .ok_or(Error::EmptyNote)?,
        None => return Err(Error::NoNoteText.into()),
    };
    if text.trim().is_empty() {
        return Err(Error::EmptyNote.into());
    }
    // git would store the entry as a binary file, or refuse it halfway.
    if text.contains('\0') {
        bail!("the text contains a NUL byte; notes are text (attach binary output as a file and link it)");
    }
    Ok(text)
}

/// Prints `--json` output: pretty, stable, one trailing newline.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    Ok(())
}

/// Names the services that have a runbook, or says where to add the first one.
pub fn known_services(names: &[String]) -> String {
    if names.is_empty() {
        "no service has a runbook yet; add one as `runbooks/services/<service>.md`".to_string()
    } else {
        format!("known services: {}", names.join(", "))
    }
}

/// Whether a character from the record would act on the terminal instead of
/// showing: control characters (ESC starts the sequences that recolour,
/// move the cursor or retitle the window; CR overwrites the line) and the
/// Unicode bidi controls that reorder what is shown (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C). Newline and tab are layout.
fn acts_on_terminal(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// Text for a person to read, with every character that would act on the
/// terminal written as Rust writes it in a string, `\u{1b}`, `\u{202e}`
/// (lowercase hex, no padding). The record on disk and `--json` keep the
/// characters; only what is printed for people is escaped.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    // Most text is printable ASCII, which a byte scan tells quickly.
    let plain_ascii = |b: &u8| matches!(b, b' '..=b'~' | b'\n' | b'\t');
    if text.as_bytes().iter().all(plain_ascii) || !text.contains(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts_on_terminal(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// A stream for people: everything written with `write!`/`writeln!` is
/// escaped by `escape_controls` first. Each `write!` is formatted whole, so
/// a character is never split between two writes.
pub struct Human<W: Write> {
    inner: W,
}

impl<W: Write> Human<W> {
    pub fn new(inner: W) -> Human<W> {
        Human { inner }
    }

    /// What `write!` and `writeln!` call.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        let text = match args.as_str() {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(args.to_string()),
        };
        self.inner.write_all(escape_controls(&text).as_bytes())
    }

    /// Writes `text` escaped, as `write!` would, without copying it first.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(escape_controls(text).as_bytes())
    }
}

impl<W: Write> Human<W> {
    /// Writes a line built with `Palette::line`: its record text was escaped
    /// as it was added, so it goes out as it is and our styling reaches the
    /// terminal.
    pub fn line(&mut self, line: Line) -> io::Result<()> {
        self.inner.write_all(line.text.as_bytes())?;
        self.inner.write_all(b"\n")
    }
}

/// `--color`: when output for people is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    // Plain comments, not doc comments: clap would list each one under every
    // subcommand's help; `--color`'s own help says what they mean.
    // Only on a terminal, and only when `NO_COLOR` is unset or empty.
    Auto,
    // Always, even into a pipe or a file.
    Always,
    Never,
}

/// Whether to colour, decided once per run: `always` and `never` say so;
/// `auto` colours a terminal unless `NO_COLOR` is set to anything but the
/// empty string (no-color.org).
pub fn colour_wanted(
    choice: ColorChoice,
    terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && no_color.is_none_or(|value| value.is_empty()),
    }
}

/// Whether this run colours standard output.
pub fn palette(choice: ColorChoice) -> Palette {
    Palette {
        colour: colour_wanted(
            choice,
            io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ),
    }
}

/// The styles output for people uses; `Palette` applies them only when
/// colour is on.
pub mod style {
    use anstyle::{AnsiColor, Style};

    const fn fg(colour: AnsiColor) -> Style {
        Style::new().fg_color(Some(anstyle::Color::Ansi(colour)))
    }

    /// Section names and the incident's id.
    pub const HEADING: Style = Style::new().bold();
    /// Something that needs a person now: overdue, SEV1.
    pub const ALERT: Style = fg(AnsiColor::Red).bold();
    /// Something to watch: SEV2, a handoff not yet accepted, still active.
    pub const WARN: Style = fg(AnsiColor::Yellow);
    /// Done or calm: resolved, closed.
    pub const GOOD: Style = fg(AnsiColor::Green);
    /// Less important: unassigned, folded counts, times.
    pub const DIM: Style = Style::new().dimmed();
    /// Lower severities.
    pub const NOTICE: Style = fg(AnsiColor::Cyan);
    /// No styling.
    pub const PLAIN: Style = Style::new();

    /// A severity's colour by its name: SEV1 red, SEV2 yellow, SEV3 cyan,
    /// anything else (a repository's own names) plain.
    pub fn severity(name: &str) -> Style {
        match name.to_ascii_uppercase().as_str() {
            "SEV1" | "SEV0" => ALERT,
            "SEV2" => WARN,
            "SEV3" => NOTICE,
            _ => PLAIN,
        }
    }
}

/// Whether output for people is coloured, decided once (`palette`), and
/// the way to build lines that may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Palette {
    pub colour: bool,
}

impl Palette {
    /// An empty line to build.
    pub fn line(self) -> Line {
        Line {
            text: String::new(),
            colour: self.colour,
        }
    }
}

/// A line for people, built from pieces. Every piece is escaped by
/// `escape_controls` as it is added; styling goes around the escaped text
/// afterwards, so our own escape sequences reach the terminal and the
/// record's never do. Written with `Human::line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    text: String,
    colour: bool,
}

impl Line {
    /// Adds text as it is (escaped).
    pub fn push(self, text: impl fmt::Display) -> Line {
        self.paint(style::PLAIN, text)
    }

    /// Adds text (escaped) in `style` when colour is on.
    pub fn paint(mut self, style: anstyle::Style, text: impl fmt::Display) -> Line {
        let text = text.to_string();
        let text = escape_controls(&text);
        if self.colour && style != style::PLAIN {
            self.text.push_str(&format!("{style}{text}{style:#}"));
        } else {
            self.text.push_str(&text);
        }
        self
    }

    /// The text, with any styling codes.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Standard output for text people read (tables, views, rendered drafts).
/// `--json` goes through `print_json` instead, unescaped.
pub fn stdout() -> Human<io::StdoutLock<'static>> {
    Human::new(io::stdout().lock())
}

/// Prints one line to standard error for the person (progress, warnings,
/// errors), escaped. Like `eprintln!`, minus the panic when stderr is gone:
/// nobody is left to tell, and the exit code still says how it went.
pub fn tell(line: impl fmt::Display) {
    let _ = writeln!(Human::new(io::stderr().lock()), "{line}");
}

/// Below this many incidents a command across the history is quick, so it
/// stays quiet; above it a person at a terminal sees how far it has got.
pub const PROGRESS_THRESHOLD: usize = 200;

/// A progress bar on standard error for work over many incidents. It shows
/// only when stderr is a terminal and there are more than
/// `PROGRESS_THRESHOLD` items, so pipes, scripts and small repositories see
/// nothing; it is cleared when dropped or finished, leaving no trace.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar for `len` steps described by `what` ("reading incidents"); the
    /// text is ours, never from the record, so it needs no escaping.
    pub fn new(what: &'static str, len: usize) -> Progress {
        if len <= PROGRESS_THRESHOLD || !io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(len as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        // The template is a constant; should it ever fail to parse, the
        // default style still shows the count.
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len}") {
            bar.set_style(style);
        }
        bar.set_message(what);
        // Drawn at once, so even a quick run shows where it stands.
        bar.tick();
        Progress { bar: Some(bar) }
    }

    /// One more step done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Clears the bar, before the command prints warnings or results.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A question a person answered with Esc: nothing is recorded.
#[derive(Debug, thiserror::Error)]
#[error("cancelled; nothing was recorded")]
pub struct Cancelled;

/// Ctrl-C at a question (read as a key in raw mode) stops the command as the
/// signal would; anything else is a terminal that cannot be read.
fn answer_error(e: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(e) = e;
    if e.kind() == io::ErrorKind::Interrupted {
        Error::Interrupted { committed: false }.into()
    } else {
        anyhow::Error::new(e).context("cannot read the answer from the terminal")
    }
}

/// Asks to pick one of `items` (Esc cancels).
pub fn select(prompt: &str, items: &[String], default: usize) -> Result<usize> {
    dialoguer::Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(default)
        .interact_opt()
        .map_err(answer_error)?
        .ok_or_else(|| Cancelled.into())
}

/// Asks to pick any of `items` with the space bar (Esc cancels).
pub fn multi_select(prompt: &str, items: &[String]) -> Result<Vec<usize>> {
    dialoguer::MultiSelect::new()
        .with_prompt(prompt)
        .items(items)
        .interact_opt()
        .map_err(answer_error)?
        .ok_or_else(|| Cancelled.into())
}

/// Asks yes or no (Esc cancels).
pub fn confirm(prompt: &str) -> Result<bool> {
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(true)
        .interact_opt()
        .map_err(answer_error)?
        .ok_or_else(|| Cancelled.into())
}

/// Asks for one line of text; Esc cancels (dialoguer's own input ignores
/// Esc, hence this small line editor).
pub fn input(prompt: &str) -> Result<String> {
    use console::{Key, Term};
    let term = Term::stderr();
    let read = || -> std::io::Result<Option<String>> {
        term.write_str(&format!("{prompt}: "))?;
        let mut line = String::new();
        loop {
            match term.read_key()? {
                Key::Enter => {
                    term.write_line("")?;
                    return Ok(Some(line));
                }
                Key::Escape => {
                    term.write_line("")?;
                    return Ok(None);
                }
                Key::Backspace if line.pop().is_some() => term.clear_chars(1)?,
                Key::Char(c) if !c.is_control() => {
                    line.push(c);
                    term.write_str(c.encode_utf8(&mut [0; 4]))?;
                }
                _ => {}
            }
        }
    };
    read()
        .map_err(|e| answer_error(dialoguer::Error::IO(e)))?
        .ok_or_else(|| Cancelled.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_plain_text_newlines_and_tabs_alone() {
        let text = "Error rate 30%\n\tsee https://grafana/d/x — Köln 🔥";
        assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_writes_control_characters_as_rust_escapes() {
        assert_eq!(
            escape_controls("\x1b[31mred\x1b[0m"),
            "\\u{1b}[31mred\\u{1b}[0m"
        );
        assert_eq!(escape_controls("a\rb\0c\x7fd"), "a\\u{d}b\\u{0}c\\u{7f}d");
        // C1 controls: U+009B is a one-character CSI on some terminals.
        assert_eq!(escape_controls("\u{9b}2J"), "\\u{9b}2J");
    }

    #[test]
    fn escape_writes_bidi_controls_as_rust_escapes() {
        for (c, shown) in [
            ('\u{202a}', "\\u{202a}"),
            ('\u{202e}', "\\u{202e}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{2069}', "\\u{2069}"),
            ('\u{200e}', "\\u{200e}"),
            ('\u{200f}', "\\u{200f}"),
            ('\u{61c}', "\\u{61c}"),
        ] {
            assert_eq!(escape_controls(&format!("x{c}y")), format!("x{shown}y"));
        }
        // Joiners and other format characters that do not reorder stay.
        assert_eq!(escape_controls("👩\u{200d}💻"), "👩\u{200d}💻");
    }

    #[test]
    fn colour_follows_the_flag_the_terminal_and_no_color() {
        use std::ffi::OsStr;
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(colour_wanted(ColorChoice::Auto, true, None));
        assert!(colour_wanted(ColorChoice::Auto, true, empty));
        assert!(!colour_wanted(ColorChoice::Auto, true, set));
        assert!(!colour_wanted(ColorChoice::Auto, false, None));
        assert!(colour_wanted(ColorChoice::Always, false, set));
        assert!(!colour_wanted(ColorChoice::Never, true, None));
    }

    #[test]
    fn lines_escape_record_text_but_keep_their_own_styling() {
        let on = Palette { colour: true };
        let line = on.line().push("id ").paint(style::ALERT, "\x1b[2Jsev");
        assert_eq!(line.as_str(), "id \x1b[1m\x1b[31m\\u{1b}[2Jsev\x1b[0m");
        let off = Palette { colour: false };
        let line = off.line().push("id ").paint(style::ALERT, "\x1b[2Jsev");
        assert_eq!(line.as_str(), "id \\u{1b}[2Jsev");
        let mut out = Human::new(Vec::new());
        out.line(on.line().paint(style::GOOD, "ok")).unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "\x1b[32mok\x1b[0m\n");
    }

    #[test]
    fn human_streams_escape_what_is_written() {
        let mut out = Human::new(Vec::new());
        let name = "evil\u{202e}txt.exe";
        writeln!(out, "id: {name}").unwrap();
        write!(out, "plain\tline").unwrap();
        assert_eq!(
            String::from_utf8(out.inner).unwrap(),
            "id: evil\\u{202e}txt.exe\nplain\tline"
        );
    }
}
