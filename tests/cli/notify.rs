//! Notifications: every kind of target against a real HTTP server on
//! 127.0.0.1, the command target, failures that only warn, the user's
//! config file, and a repository that cannot configure any of it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::Value;

use crate::harness::TestRepo;

/// The id `declare "Checkout errors"` gives under the fixed clock.
const ID: &str = "2026-11-24-checkout-errors_tkkt";

/// One request the test server received.
struct Request {
    path: String,
    content_type: String,
    body: Value,
}

/// A tiny HTTP server on 127.0.0.1 that answers every request with 200 and
/// hands its path and JSON body to the test. It serves until the test
/// process ends; it only ever listens on the loopback address.
struct Server {
    url: String,
    requests: Receiver<Request>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or_default().to_string();
                let (mut length, mut content_type) = (0, String::new());
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    let (name, value) = header.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "content-type" => content_type = value.trim().to_string(),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                // Recorded before answering: once the binary has its answer,
                // the test can see the request.
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let _ = sender.send(Request {
                    path,
                    content_type,
                    body,
                });
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Server { url, requests }
    }

    /// Every request received so far (the binary has exited, so all of them).
    fn received(&self) -> Vec<Request> {
        self.requests.try_iter().collect()
    }

    /// The one request received so far.
    fn one(&self) -> Request {
        let mut requests = self.received();
        assert_eq!(requests.len(), 1, "expected one request");
        requests.remove(0)
    }
}

/// A URL where nothing listens: a port that was just closed.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// Runs a prepared command and requires success; returns stderr.
fn succeeds(mut cmd: assert_cmd::Command) -> String {
    let output = cmd.assert().success().get_output().stderr.clone();
    String::from_utf8(output).unwrap()
}

fn write_config(repo: &TestRepo, text: &str) {
    let dir = repo.home.join(".config/incident");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn slack_teams_and_webhook_from_the_environment_get_a_declaration() {
    let (repo, server) = (TestRepo::new(), Server::start());
    let mut cmd = repo.incident(&["declare", "<!channel> & co", "--severity", "SEV2"]);
    cmd.env("INCIDENT_SLACK_WEBHOOK", format!("{}/slack", server.url))
        .env("INCIDENT_TEAMS_WEBHOOK", format!("{}/teams", server.url))
        .env("INCIDENT_WEBHOOK", format!("{}/hook", server.url));
    let stderr = succeeds(cmd);
    assert!(!stderr.contains("warning"), "{stderr}");
    let mut requests = server.received();
    requests.sort_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/hook", "/slack", "/teams"]);
    assert!(requests
        .iter()
        .all(|r| r.content_type == "application/json"));

    let (hook, slack, teams) = (&requests[0].body, &requests[1].body, &requests[2].body);
    assert_eq!(hook["kind"], "declared");
    assert_eq!(hook["title"], "<!channel> & co");
    assert_eq!(hook["incident"], "2026-11-24-channel-co_ve3z");
    assert_eq!(hook["severity"], "SEV2");
    assert_eq!(hook["status"], "investigating");
    assert_eq!(hook["who"], "Alice Example");
    assert_eq!(hook["at"], "2026-11-24T06:50:00Z");
    assert_eq!(hook["text"], "Declared SEV2: <!channel> & co");

    // Nothing a responder types can ping the channel in Slack.
    let slack_text = slack["text"].as_str().unwrap();
    assert!(
        slack_text.contains("&lt;!channel&gt; &amp; co"),
        "{slack_text}"
    );
    assert!(!slack.to_string().contains("<!channel>"), "{slack}");
    assert_eq!(slack["blocks"][0]["type"], "section");

    let card = &teams["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert_eq!(
        card["content"]["body"][0]["text"],
        "SEV2 declared: <!channel> & co"
    );
}

#[test]
fn severity_status_handoff_and_summary_notify_and_notes_do_not() {
    let (repo, server) = (TestRepo::new(), Server::start());
    repo.declare(&[
        "Checkout errors",
        "--severity",
        "SEV2",
        "--commander",
        "alice",
    ]);
    let hook = format!("{}/hook", server.url);
    let run = |args: &[&str]| {
        let mut cmd = repo.incident(args);
        cmd.env("INCIDENT_WEBHOOK", &hook);
        succeeds(cmd);
    };

    run(&["severity", "SEV1", "--reason", "all regions affected"]);
    let event = server.one().body;
    assert_eq!(event["kind"], "severity");
    assert_eq!(event["incident"], ID);
    assert_eq!(event["severity"], "SEV1");
    assert_eq!(event["text"], "SEV2 -> SEV1: all regions affected");

    run(&["status", "identified"]);
    let event = server.one().body;
    assert_eq!(event["kind"], "status");
    assert_eq!(event["status"], "identified");
    assert_eq!(event["text"], "investigating -> identified");

    run(&["role", "commander", "bob"]);
    let event = server.one().body;
    assert_eq!(event["kind"], "handoff");
    assert_eq!(event["text"], "Incident Commander: alice -> bob");

    // A first assignment, its acceptance, notes and check-offs are not news.
    run(&["role", "scribe", "carol"]);
    run(&["role", "accept", "commander"]);
    run(&["note", "still looking"]);
    assert!(server.received().is_empty());

    run(&["summary", "--publish"]);
    let event = server.one().body;
    assert_eq!(event["kind"], "summary");
    let summary = event["summary"].as_str().unwrap();
    assert!(summary.contains("Checkout errors"), "{summary}");
}

#[test]
fn a_dead_target_only_warns_and_the_record_is_committed() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--severity", "SEV2"]);
    let mut cmd = repo.incident(&["severity", "SEV1"]);
    cmd.env("INCIDENT_WEBHOOK", dead_url());
    let stderr = succeeds(cmd);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].starts_with("warning: notification to webhook failed: "),
        "{stderr}"
    );
    assert!(
        !stderr.contains("127.0.0.1"),
        "the URL may be a secret: {stderr}"
    );
    let subject = repo.git(&["log", "-1", "--format=%s"]);
    assert_eq!(subject.trim(), format!("{ID}: severity SEV2 -> SEV1"));
}

#[test]
fn a_slow_target_is_cut_off_at_the_timeout() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--severity", "SEV2"]);
    // Accepts the connection and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    write_config(&repo, "[notify]\ntimeout = \"1s\"\n");
    let started = std::time::Instant::now();
    let mut cmd = repo.incident(&["status", "identified"]);
    cmd.env("INCIDENT_WEBHOOK", url);
    let stderr = succeeds(cmd);
    assert!(started.elapsed() < Duration::from_secs(8), "{stderr}");
    assert!(
        stderr.contains("warning: notification to webhook failed:"),
        "{stderr}"
    );
    drop(listener);
}

#[test]
fn the_command_target_reads_the_event_on_stdin() {
    let repo = TestRepo::new();
    let file = repo.home.join("event.json");
    let mut cmd = repo.incident(&["declare", "Checkout errors"]);
    cmd.env(
        "INCIDENT_NOTIFY_COMMAND",
        format!("cat > '{}'", file.display()),
    );
    let output = cmd.assert().success().get_output().clone();
    // Our stdout stays the id alone.
    assert_eq!(String::from_utf8(output.stdout).unwrap(), format!("{ID}\n"));
    let event: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(event["version"], 1);
    assert_eq!(event["kind"], "declared");
    assert_eq!(event["incident"], ID);

    let mut cmd = repo.incident(&["status", "identified"]);
    cmd.env("INCIDENT_NOTIFY_COMMAND", "cat > /dev/null; exit 3");
    let stderr = succeeds(cmd);
    assert!(
        stderr
            .contains("warning: notification to notify command failed: the command exit status: 3"),
        "{stderr}"
    );
}

#[test]
fn the_config_file_sets_targets_and_filters_events() {
    let (repo, server) = (TestRepo::new(), Server::start());
    write_config(
        &repo,
        &format!(
            "[notify]\nwebhook = \"{}/file\"\nevents = [\"status\"]\ncolour = \"blue\"\n",
            server.url
        ),
    );
    let stderr = succeeds(repo.incident(&["declare", "Checkout errors"]));
    assert!(
        stderr.contains("config.toml`: unknown key `notify.colour`"),
        "{stderr}"
    );
    assert!(server.received().is_empty(), "declared is filtered out");
    succeeds(repo.incident(&["status", "identified"]));
    let request = server.one();
    assert_eq!(request.path, "/file");
    assert_eq!(request.body["kind"], "status");

    // The environment overrides the file; empty turns the target off.
    let mut cmd = repo.incident(&["status", "mitigated"]);
    cmd.env("INCIDENT_WEBHOOK", format!("{}/env", server.url));
    succeeds(cmd);
    assert_eq!(server.one().path, "/env");
    let mut cmd = repo.incident(&["status", "identified"]);
    cmd.env("INCIDENT_WEBHOOK", "");
    succeeds(cmd);
    assert!(server.received().is_empty());
}

#[test]
fn a_broken_config_file_warns_and_records() {
    let repo = TestRepo::new();
    write_config(&repo, "[notify\n");
    let stderr = succeeds(repo.incident(&["declare", "Checkout errors"]));
    assert!(
        stderr.contains("warning: notifications are off: `"),
        "{stderr}"
    );
    assert!(stderr.contains("is not valid TOML"), "{stderr}");
    assert_eq!(repo.timeline_files(ID).len(), 1);
}

/// A cloned repository must never make the tool send data or run a command.
#[test]
fn a_repository_cannot_configure_notifications() {
    let (repo, server) = (TestRepo::new(), Server::start());
    let marker = repo.home.join("ran");
    let config = format!(
        "[notify]\nwebhook = \"{}/repo\"\ncommand = \"touch '{}'\"\n",
        server.url,
        marker.display()
    );
    for path in [
        "config.toml",
        "incident/config.toml",
        ".config/incident/config.toml",
        ".incident/config.toml",
    ] {
        repo.write(path, &config);
    }
    repo.write(
        "incident.yaml",
        &format!("format: 1\nnotify:\n  webhook: {}/repo\n", server.url),
    );
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "try to configure notifications"]);

    succeeds(repo.incident(&["declare", "Checkout errors"]));
    // Not even when XDG_CONFIG_HOME is relative, which would name the
    // repository's own `.config`.
    let mut cmd = repo.incident(&["status", "identified"]);
    cmd.env("XDG_CONFIG_HOME", ".config");
    succeeds(cmd);
    assert!(server.received().is_empty());
    assert!(!marker.exists());
    let mut cmd = repo.incident(&["notify", "test"]);
    cmd.env("XDG_CONFIG_HOME", ".config");
    cmd.assert().code(1);
    assert!(server.received().is_empty());
}

#[test]
fn notify_test_reports_each_target_without_a_repository() {
    let repo = TestRepo::bare_dir();
    let server = Server::start();
    let mut cmd = repo.incident(&["notify", "test"]);
    cmd.env("INCIDENT_SLACK_WEBHOOK", format!("{}/slack", server.url))
        .env("INCIDENT_WEBHOOK", format!("{}/hook", server.url));
    let output = cmd.assert().success().get_output().clone();
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap(), @r"
    sent to slack webhook
    sent to webhook
    ");
    let mut requests = server.received();
    requests.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(requests[0].body["kind"], "test");
    assert_eq!(requests[0].body["who"], "Alice Example");
    assert_eq!(
        requests[1].body["text"],
        "Test notification: incident can reach this target"
    );

    let mut cmd = repo.incident(&["notify", "test"]);
    cmd.env("INCIDENT_SLACK_WEBHOOK", format!("{}/slack", server.url))
        .env("INCIDENT_WEBHOOK", dead_url());
    let output = cmd.assert().code(1).get_output().clone();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "sent to slack webhook\n"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("warning: notification to webhook failed:"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: 1 of 2 notification targets failed\n"),
        "{stderr}"
    );
}

#[test]
fn notify_test_without_a_target_says_how_to_set_one() {
    let repo = TestRepo::bare_dir();
    let stderr = repo.fails(&["notify", "test"]);
    let home = repo.home.to_string_lossy();
    insta::assert_snapshot!(stderr.replace(home.as_ref(), "[HOME]"), @"error: no notification target is configured; set one in $INCIDENT_SLACK_WEBHOOK, $INCIDENT_TEAMS_WEBHOOK, $INCIDENT_WEBHOOK or $INCIDENT_NOTIFY_COMMAND, or under [notify] in `[HOME]/.config/incident/config.toml` (see docs/notifications.md)");
}
