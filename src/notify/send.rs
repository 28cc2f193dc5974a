//! Delivery: the only code here that talks to the network or starts a
//! process. One POST per webhook, one `sh -c` per command, each bounded by
//! the configured timeout.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::config::{Target, TargetKind};

/// Sends `body` (JSON) to one target; the error is a short reason for the
/// warning.
pub(super) fn deliver(target: &Target, body: &[u8], timeout: Duration) -> Result<(), String> {
    match target.kind {
        TargetKind::Slack | TargetKind::Teams | TargetKind::Webhook => {
            post(&target.address, body, timeout)
        }
        TargetKind::Command => run(&target.address, body, timeout),
    }
}

fn post(url: &str, body: &[u8], timeout: Duration) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .user_agent(concat!("incident/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Runs `command` with `sh -c`, the event on its stdin, its output on our
/// stderr (our stdout is the command's result, such as a new incident's id).
fn run(command: &str, body: &[u8], timeout: Duration) -> Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(stderr_or_null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start `sh`: {e}"))?;
    // Written from a thread, so a command that never reads its stdin cannot
    // stall us past the timeout; a command that exits without reading is fine.
    let stdin = child.stdin.take();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&body);
        }
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                return Err(format!("timed out after {}s", timeout.as_secs_f32()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let _ = writer.join();
    if status.success() {
        Ok(())
    } else {
        Err(format!("the command {status}"))
    }
}

/// The child's stdout, pointed at our stderr where the platform lets us.
fn stderr_or_null() -> Stdio {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Stdio::from(fd);
        }
    }
    Stdio::null()
}
