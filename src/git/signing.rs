//! Commit signatures made the way git makes them: the commit's bytes handed
//! to `gpg`/`gpgsm` (`--status-fd=2 -bsau KEY`) or to `ssh-keygen -Y sign -n
//! git`, the result stored in the commit's `gpgsig` header. jj's
//! `gpg_signing.rs` and `ssh_signing.rs` do the same.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use super::settings::{Signing, SigningFormat};

/// Signs a commit's bytes; returns the armored signature.
pub(super) fn sign(signing: &Signing, commit: &[u8]) -> Result<String> {
    match signing.format {
        SigningFormat::OpenPgp | SigningFormat::X509 => sign_gpg(signing, commit),
        SigningFormat::Ssh => sign_ssh(signing, commit),
    }
}

fn sign_gpg(signing: &Signing, commit: &[u8]) -> Result<String> {
    let mut child = Command::new(&signing.program)
        .args(["--status-fd=2", "-bsau", &signing.key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| cannot_run(signing))?;
    // A program that dies early closes its end; its exit says why.
    let _ = child.stdin.take().map(|mut stdin| stdin.write_all(commit));
    let output = child
        .wait_with_output()
        .with_context(|| cannot_run(signing))?;
    let status = String::from_utf8_lossy(&output.stderr);
    // git's own test: a signature was made, whatever the exit code says.
    if !output.status.success() || !status.contains("[GNUPG:] SIG_CREATED ") {
        bail!(
            "commit.gpgsign is set and `{}` could not sign with key `{}`: {}",
            signing.program,
            signing.key,
            super::last_meaningful_line(&status)
        );
    }
    String::from_utf8(output.stdout).context("the signature is not text")
}

fn sign_ssh(signing: &Signing, commit: &[u8]) -> Result<String> {
    let scratch = tempfile::tempdir().context("cannot make a folder for signing")?;
    let buffer = scratch.path().join("commit");
    std::fs::write(&buffer, commit).context("cannot write the commit to sign")?;
    let mut command = Command::new(&signing.program);
    command.args(["-Y", "sign", "-n", "git", "-f"]);
    // As git reads `user.signingkey`: a literal public key (its private half
    // in the agent), or the path of a key file.
    let literal = signing.key.strip_prefix("key::").or_else(|| {
        signing
            .key
            .starts_with("ssh-")
            .then_some(signing.key.as_str())
    });
    match literal {
        Some(key) => {
            let public = scratch.path().join("key.pub");
            std::fs::write(&public, format!("{key}\n")).context("cannot write the signing key")?;
            command.arg(public).arg("-U");
        }
        None => {
            command.arg(expand_home(&signing.key));
        }
    }
    let output = command
        .arg(&buffer)
        .stdin(Stdio::null())
        .output()
        .with_context(|| cannot_run(signing))?;
    if !output.status.success() {
        bail!(
            "commit.gpgsign is set and `{}` could not sign with `{}`: {}",
            signing.program,
            signing.key,
            super::last_meaningful_line(&String::from_utf8_lossy(&output.stderr))
        );
    }
    std::fs::read_to_string(buffer.with_extension("sig"))
        .with_context(|| format!("`{}` wrote no signature", signing.program))
}

fn cannot_run(signing: &Signing) -> String {
    format!(
        "commit.gpgsign is set but `{}` cannot be run; install it or set the program git should use (gpg.program, gpg.ssh.program)",
        signing.program
    )
}

/// `~/key` as git expands it in `user.signingkey`.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
