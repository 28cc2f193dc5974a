//! `incident note` against a plain `git commit` of the same line, in a
//! repository with a long history of incidents; and `incident prompt`, which
//! a shell runs before every prompt, in the same repository.
//!
//! Run with `cargo bench --bench note`. Set `INCIDENTS=N` to change how many
//! past incidents the repository holds (default 2000).

use std::fs;
use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};

const INCIDENT: &str = env!("CARGO_BIN_EXE_incident");

fn run(dir: &Path, program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench Mark")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench Mark")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the program runs");
    assert!(status.success(), "{program} {args:?} failed");
}

/// A repository with `past` closed incidents written directly as files (as
/// the tool would have written them) and one active incident declared by the
/// tool.
fn repository(past: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    run(root, "git", &["init", "-q", "-b", "main"]);
    run(root, "git", &["config", "user.name", "Bench Mark"]);
    run(root, "git", &["config", "user.email", "bench@example.com"]);
    for n in 0..past {
        let id = format!("2025-01-01-past-incident-{n:05}");
        let incident = root.join("incidents").join(&id);
        fs::create_dir_all(incident.join("timeline")).expect("incident folder");
        fs::write(
            incident.join("incident.md"),
            format!("---\nformat: 1\nid: {id}\ntitle: Past incident {n}\ntype: internal\nseverity: SEV3\nstatus: closed\n---\n\n# Past incident {n}\n"),
        )
        .expect("incident.md");
        for e in 0..5 {
            fs::write(
                incident.join("timeline").join(format!("20250101T0000{e:02}Z-000-0000000{e}.md")),
                format!("---\nat: 2025-01-01T00:00:{e:02}Z\nauthor: Bench Mark\nemail: bench@example.com\nkind: note\n---\nentry {e}\n"),
            )
            .expect("entry");
        }
    }
    fs::write(root.join("notes.md"), "").expect("notes.md");
    run(root, "git", &["add", "."]);
    run(root, "git", &["commit", "-q", "-m", "history"]);
    run(
        root,
        INCIDENT,
        &["declare", "Payments are slow", "--commander", "bench"],
    );
    dir
}

/// How many past incidents the repository holds: `INCIDENTS`, else 2,000.
fn past_incidents() -> usize {
    std::env::var("INCIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

fn bench_note(c: &mut Criterion) {
    let past = past_incidents();
    let repo = repository(past);
    let root = repo.path();
    let line = "Error rate back under 1% after the rollback";

    let mut group = c.benchmark_group(format!("record one line, {past} past incidents"));
    group.sample_size(30);
    group.bench_function("incident note", |b| {
        b.iter(|| run(root, INCIDENT, &["note", line]));
    });
    group.bench_function("git commit", |b| {
        let notes = root.join("notes.md");
        b.iter(|| {
            let mut text = fs::read_to_string(&notes).expect("notes.md");
            text.push_str(line);
            text.push('\n');
            fs::write(&notes, text).expect("notes.md");
            run(root, "git", &["commit", "-q", "-m", line, "--", "notes.md"]);
        });
    });
    group.finish();
}

fn bench_prompt(c: &mut Criterion) {
    let past = past_incidents();
    let repo = repository(past);
    let root = repo.path();
    let mut group = c.benchmark_group(format!("shell prompt, {past} past incidents"));
    group.sample_size(50);
    group.bench_function("incident prompt", |b| {
        b.iter(|| run(root, INCIDENT, &["prompt"]));
    });
    group.bench_function("git --version", |b| {
        b.iter(|| run(root, "git", &["--version"]));
    });
    group.finish();
}

criterion_group!(benches, bench_note, bench_prompt);
criterion_main!(benches);
