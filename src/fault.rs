//! Test hooks for the transaction's crash safety, honoured only in debug
//! builds (those the tests run): `INCIDENT_FAULT=STEP` kills the process at a
//! named step, `INCIDENT_PAUSE=STEP:FILE` stops there until a signal comes.
//! The steps are listed in `transaction::FAULT_POINTS`. The interrupt flag
//! lives here too, since the pause waits on it.

use std::sync::atomic::AtomicBool;

/// Set when Ctrl-C or a termination signal arrives during a commit.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Stops the process dead, as `kill -9` would, when `INCIDENT_FAULT` names
/// this step. Only debug builds (those the tests run) honour it.
pub(crate) fn fault_point(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("INCIDENT_FAULT").is_some_and(|wanted| wanted == step) {
        // A real SIGKILL: no destructors, no flushing, no core dump.
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
        std::process::abort();
    }
    // `INCIDENT_PAUSE=STEP:FILE` creates FILE at STEP and waits for a signal,
    // so a test can interrupt a command at a known point.
    #[cfg(debug_assertions)]
    if let Some((wanted, marker)) = std::env::var("INCIDENT_PAUSE")
        .ok()
        .as_deref()
        .and_then(|v| v.split_once(':'))
    {
        if wanted == step {
            let _ = std::fs::write(marker, "");
            for _ in 0..1000 {
                if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}
