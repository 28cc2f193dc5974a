//! A temporary incident repository and a way to run the binary in it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The time every test runs at unless it says otherwise.
pub(crate) const NOW: &str = "2026-11-24T06:50:00Z";

pub(crate) struct TestRepo {
    _dir: TempDir,
    /// A home with a git identity in `.gitconfig`.
    pub(crate) home: PathBuf,
    /// The repository's work tree.
    pub(crate) root: PathBuf,
    pub(crate) now: String,
}

impl TestRepo {
    /// An empty git repository with one commit, and an author configured.
    pub(crate) fn new() -> TestRepo {
        let repo = TestRepo::bare_dir();
        repo.git(&["init", "-q", "-b", "main"]);
        fs::write(repo.root.join("README.md"), "records\n").unwrap();
        repo.git(&["add", "README.md"]);
        repo.git(&["commit", "-q", "-m", "start"]);
        repo
    }

    /// A directory that is not yet a git repository, with an author configured.
    pub(crate) fn bare_dir() -> TestRepo {
        let dir = TempDir::new().unwrap();
        let home = dir.path().join("home");
        let root = dir.path().join("repo");
        fs::create_dir_all(&home).unwrap();
        fs::create_dir_all(&root).unwrap();
        fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Alice Example\n\temail = alice@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        TestRepo {
            _dir: dir,
            home,
            root,
            now: NOW.to_string(),
        }
    }

    /// A clone of this repository beside it, sharing the home.
    pub(crate) fn clone_to(&self, name: &str) -> TestRepo {
        let dir = TempDir::new().unwrap();
        let root = dir.path().join(name);
        self.git(&[
            "clone",
            "-q",
            self.root.to_str().unwrap(),
            root.to_str().unwrap(),
        ]);
        TestRepo {
            _dir: dir,
            home: self.home.clone(),
            root,
            now: self.now.clone(),
        }
    }

    /// A linked worktree of this repository (`git worktree add`) on a new
    /// branch, sharing the home.
    pub(crate) fn worktree(&self, name: &str, branch: &str) -> TestRepo {
        let dir = TempDir::new().unwrap();
        let root = dir.path().join(name);
        self.git(&[
            "worktree",
            "add",
            "-q",
            "-b",
            branch,
            root.to_str().unwrap(),
        ]);
        TestRepo {
            _dir: dir,
            home: self.home.clone(),
            root,
            now: self.now.clone(),
        }
    }

    /// Removes the git identity, as on a machine where it was never set.
    pub(crate) fn forget_identity(&self) {
        fs::write(
            self.home.join(".gitconfig"),
            "[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
    }

    fn env(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TZ", "UTC")
            .env("INCIDENT_NOW", &self.now)
            .env("GIT_COMMITTER_DATE", &self.now)
            .env("GIT_AUTHOR_DATE", &self.now)
            .current_dir(&self.root);
    }

    /// The binary, ready to run in the repository.
    pub(crate) fn incident(&self, args: &[&str]) -> Command {
        Command::from_std(self.incident_process(args))
    }

    /// The benchmark data generator (`examples/generate.rs`), which `cargo
    /// test` builds beside the binary, run in this environment.
    pub(crate) fn generator(&self, args: &[&str]) -> Command {
        let binary = assert_cmd::cargo::cargo_bin!("incident");
        let generator = binary.parent().unwrap().join("examples/generate");
        assert!(
            generator.exists(),
            "{} is missing: plain `cargo test` builds it, `cargo test --test cli` does not",
            generator.display()
        );
        let mut cmd = std::process::Command::new(generator);
        self.env(&mut cmd);
        cmd.args(args);
        Command::from_std(cmd)
    }

    /// The binary as a plain process, to start several at once.
    pub(crate) fn incident_process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("incident"));
        self.env(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// Runs `incident ARGS` in a pseudo-terminal (util-linux `script`), typing
    /// `keys` into it (a `|` pauses half a second), with extra environment
    /// `envs`. Returns the exit code and
    /// everything the terminal showed.
    pub(crate) fn in_terminal(
        &self,
        args: &[&str],
        keys: &[u8],
        envs: &[(&str, &std::ffi::OsStr)],
    ) -> (i32, String) {
        use std::io::Write;
        let binary = assert_cmd::cargo::cargo_bin!("incident");
        let command = std::iter::once(binary.display().to_string())
            .chain(
                args.iter()
                    .map(|a| format!("'{}'", a.replace('\'', "'\\''"))),
            )
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = std::process::Command::new("script");
        self.env(&mut cmd);
        cmd.args(["-qec", &command, "/dev/null"])
            .env("TERM", "xterm")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (key, value) in envs {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let screen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = {
            let screen = screen.clone();
            std::thread::spawn(move || {
                use std::io::Read;
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    screen.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            })
        };
        // Keys typed before the program shows anything would reach a
        // terminal not yet in raw mode: on a loaded machine the answers were
        // lost and the program waited for ever. Wait for its first output.
        let started = std::time::Instant::now();
        while !keys.is_empty()
            && screen.lock().unwrap().is_empty()
            && started.elapsed() < std::time::Duration::from_secs(20)
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // `|` in the keys waits a moment, so what follows reaches a program
        // already asking (Ctrl-C typed before it would be the terminal's).
        for (n, chunk) in keys.split(|b| *b == b'|').enumerate() {
            if n > 0 {
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            // The program may have finished already; what is left unread is
            // the test's to judge from the screen.
            if stdin.write_all(chunk).and_then(|()| stdin.flush()).is_err() {
                break;
            }
        }
        drop(stdin);
        // A program still waiting after a minute fails the test, not CI.
        let code = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                let shown = String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
                panic!("incident {args:?} in a terminal still waited after a minute; the screen:\n{shown}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        reader.join().unwrap();
        let shown = String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
        (code, shown)
    }

    /// Runs the binary and requires success; returns stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.incident(args).output().unwrap();
        assert!(
            output.status.success(),
            "incident {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs the binary and requires failure with exit code 1; returns stderr
    /// with temporary paths replaced by `[ROOT]`.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let output = self.incident(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "incident {args:?} should fail: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        self.redact(&String::from_utf8(output.stderr).unwrap())
    }

    pub(crate) fn redact(&self, text: &str) -> String {
        let root = self.root.to_string_lossy();
        text.replace(&format!("{root}/"), "[ROOT]/")
            .replace(root.as_ref(), "[ROOT]")
    }

    /// Runs git in the repository; returns stdout.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let output = self.git_output(args);
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub(crate) fn git_output(&self, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("git");
        self.env(&mut cmd);
        cmd.args(args).output().unwrap()
    }

    pub(crate) fn read(&self, path: impl AsRef<Path>) -> String {
        fs::read_to_string(self.root.join(path)).unwrap()
    }

    pub(crate) fn write(&self, path: impl AsRef<Path>, text: &str) {
        let path = self.root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Every file under `incidents/<id>/timeline/`, sorted.
    pub(crate) fn timeline_files(&self, id: &str) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(self.root.join("incidents").join(id).join("timeline"))
                .map(|dir| {
                    dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
        names.sort();
        names
    }

    /// Declares an incident and returns its id.
    pub(crate) fn declare(&self, args: &[&str]) -> String {
        let mut all = vec!["declare"];
        all.extend_from_slice(args);
        self.ok(&all).trim().to_string()
    }

    /// A fingerprint of the whole state: HEAD, index, status and every file's
    /// bytes. Equal fingerprints mean a command changed nothing.
    pub(crate) fn fingerprint(&self) -> String {
        // In a `bare_dir` git has nothing to report; a command that wrongly
        // made a repository there shows up as `.git` appearing.
        let mut state = String::from("not a git repository\n");
        if self.root.join(".git").exists() {
            let head = self.git_output(&["rev-parse", "HEAD"]);
            state = String::from_utf8_lossy(&head.stdout).into_owned();
            state.push_str(&self.git(&["status", "--porcelain=v1", "--untracked-files=all"]));
            state.push_str(&self.git(&["ls-files", "--stage"]));
        }
        let mut files = Vec::new();
        collect_files(&self.root, &self.root, &mut files);
        files.sort();
        for (path, bytes) in files {
            state.push_str(&format!("{path}: {}\n", String::from_utf8_lossy(&bytes)));
        }
        state
    }

    /// Number of commits on HEAD.
    pub(crate) fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if relative == ".git" {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, out);
        } else {
            out.push((relative, fs::read(&path).unwrap()));
        }
    }
}

/// Parses `incident show --json`.
pub(crate) fn show_json(repo: &TestRepo, id: &str) -> serde_json::Value {
    serde_json::from_str(&repo.ok(&["show", id, "--json"])).unwrap()
}

/// A bare repository standing in for the team's shared remote.
pub(crate) struct Remote {
    _dir: TempDir,
    /// The folder holding the repository, for `git daemon --base-path`.
    pub(crate) base: PathBuf,
    /// The repository itself, `origin.git` in `base`.
    pub(crate) path: PathBuf,
}

impl TestRepo {
    /// A bare copy of this repository's history, to push to and fetch from.
    pub(crate) fn bare_clone(&self) -> Remote {
        let dir = TempDir::new().unwrap();
        let base = dir.path().to_path_buf();
        let path = base.join("origin.git");
        self.git(&[
            "clone",
            "-q",
            "--bare",
            self.root.to_str().unwrap(),
            path.to_str().unwrap(),
        ]);
        Remote {
            _dir: dir,
            base,
            path,
        }
    }

    /// A clone of `url` with a home and git identity of its own, as on one
    /// responder's machine.
    pub(crate) fn clone_from(url: &str, name: &str, email: &str) -> TestRepo {
        let repo = TestRepo::bare_dir();
        fs::write(
            repo.home.join(".gitconfig"),
            format!("[user]\n\tname = {name}\n\temail = {email}\n[init]\n\tdefaultBranch = main\n"),
        )
        .unwrap();
        repo.git(&["clone", "-q", url, "."]);
        repo
    }
}
