//! Repositories that are not plain clones, each checked against git itself:
//! the branch git reads moved, the work tree and index agree with HEAD, the
//! reflog has the commit, and `git fsck` finds nothing wrong.

use crate::harness::TestRepo;

const ID: &str = "2026-11-24-checkout-errors_tkkt";

/// What `git commit` leaves behind, checked after a command recorded
/// `subject` on `branch`.
fn committed_as_git_would(repo: &TestRepo, branch: &str, subject: &str) {
    let tip = repo.git(&["log", "-1", "--format=%s", branch]);
    assert_eq!(tip.trim(), subject, "the branch git reads did not move");
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["rev-parse", branch])
    );
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "", "the work tree or index differs from HEAD");
    assert_eq!(repo.git(&["diff", "--cached", "--name-only", "HEAD"]), "");
    let reflog = repo.git(&["reflog", "-1", "--format=%gs", branch]);
    assert_eq!(reflog.trim(), format!("commit: {subject}"));
    let head_reflog = repo.git(&["reflog", "-1", "--format=%gs", "HEAD"]);
    assert_eq!(head_reflog.trim(), format!("commit: {subject}"));
    repo.git(&["fsck", "--no-progress", "--strict"]);
}

#[test]
fn a_linked_worktree_commits_on_its_own_branch() {
    let main = TestRepo::new();
    assert_eq!(main.declare(&["Checkout errors"]), ID);
    let linked = main.worktree("wt", "side");
    linked.ok(&["note", "Recorded in the linked worktree"]);
    committed_as_git_would(
        &linked,
        "side",
        &format!("{ID}: note: Recorded in the linked worktree"),
    );
    // The branch is the shared one: the main worktree sees it move, and its
    // own branch and index are untouched.
    let seen = main.git(&["log", "-1", "--format=%s", "side"]);
    assert_eq!(
        seen.trim(),
        format!("{ID}: note: Recorded in the linked worktree")
    );
    assert_eq!(main.git(&["status", "--porcelain"]), "");
    // And the main worktree goes on committing on main.
    main.ok(&["note", "Recorded in the main worktree"]);
    committed_as_git_would(
        &main,
        "main",
        &format!("{ID}: note: Recorded in the main worktree"),
    );
    assert!(!main
        .git(&["log", "--format=%s", "side"])
        .contains("main worktree"));
}

#[test]
fn a_push_from_a_linked_worktree_sends_its_commits() {
    let main = TestRepo::new();
    assert_eq!(main.declare(&["Checkout errors"]), ID);
    let remote = main.bare_clone();
    main.git(&["remote", "add", "origin", remote.path.to_str().unwrap()]);
    let linked = main.worktree("wt", "side");
    linked.ok(&["note", "Sent from the worktree"]);
    linked.git(&["push", "-q", "origin", "side"]);
    let sent = std::process::Command::new("git")
        .args([
            "--git-dir",
            remote.path.to_str().unwrap(),
            "log",
            "-1",
            "--format=%s",
            "side",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&sent.stdout).trim(),
        format!("{ID}: note: Sent from the worktree")
    );
}

#[test]
fn a_packed_branch_moves_as_git_would_move_it() {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo.git(&["pack-refs", "--all"]);
    assert!(!repo.root.join(".git/refs/heads/main").exists());
    repo.ok(&["note", "After pack-refs"]);
    committed_as_git_would(&repo, "main", &format!("{ID}: note: After pack-refs"));
}

/// Runs a program with the test's home, failing the test if it fails.
fn run(repo: &TestRepo, program: &str, args: &[&str], envs: &[(&str, &std::path::Path)]) {
    let output = std::process::Command::new(program)
        .args(args)
        .env("HOME", &repo.home)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_os_str())))
        .current_dir(&repo.root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn commit_gpgsign_with_an_ssh_key_signs_as_git_does() {
    let repo = TestRepo::new();
    let key = repo.home.join("id_ed25519");
    let key_text = key.to_str().unwrap();
    run(
        &repo,
        "ssh-keygen",
        &[
            "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", key_text,
        ],
        &[],
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = repo.home.join("allowed_signers");
    std::fs::write(&allowed, format!("alice@example.com {public}")).unwrap();
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key_text]);
    repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        allowed.to_str().unwrap(),
    ]);

    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo.ok(&["note", "Signed"]);
    committed_as_git_would(&repo, "main", &format!("{ID}: note: Signed"));
    repo.git(&["verify-commit", "HEAD"]);
    repo.git(&["verify-commit", "HEAD~1"]);
}

#[test]
fn commit_gpgsign_with_openpgp_signs_as_git_does() {
    let repo = TestRepo::new();
    let gnupg = repo.home.join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let env = [("GNUPGHOME", gnupg.as_path())];
    run(
        &repo,
        "gpg",
        &[
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-generate-key",
            "Alice Example <alice@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
        &env,
    );
    repo.git(&["config", "commit.gpgsign", "true"]);

    let declared = repo
        .incident(&["declare", "Checkout errors"])
        .env("GNUPGHOME", &gnupg)
        .output()
        .unwrap();
    assert!(
        declared.status.success(),
        "{}",
        String::from_utf8_lossy(&declared.stderr)
    );
    // Checked by git, with the same throwaway keyring.
    let verify = std::process::Command::new("git")
        .args(["verify-commit", "--raw", "HEAD"])
        .current_dir(&repo.root)
        .env("HOME", &repo.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GNUPGHOME", &gnupg)
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&verify.stderr);
    assert!(
        verify.status.success() && status.contains("GOODSIG"),
        "{status}"
    );
}

#[test]
fn a_signing_program_that_fails_records_nothing() {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.program", "false"]);
    let before = repo.fingerprint();
    let stderr = repo.fails(&["note", "Not signed"]);
    assert!(
        stderr.contains("commit.gpgsign is set and `false` could not sign"),
        "{stderr}"
    );
    assert_eq!(before, repo.fingerprint());
}

#[test]
fn identity_comes_from_git_config_global_and_email_as_git_reads_them() {
    let repo = TestRepo::new();
    let bot = repo.home.join("bot.gitconfig");
    std::fs::write(
        &bot,
        "[user]\n\tname = Release Bot\n\temail = bot@example.com\n",
    )
    .unwrap();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    let noted = repo
        .incident(&["note", "From the bot"])
        .env("GIT_CONFIG_GLOBAL", &bot)
        .output()
        .unwrap();
    assert!(
        noted.status.success(),
        "{}",
        String::from_utf8_lossy(&noted.stderr)
    );
    let ident = repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"]);
    assert_eq!(
        ident.trim(),
        "Release Bot <bot@example.com>|Release Bot <bot@example.com>"
    );

    // EMAIL stands in for user.email, as in git.
    std::fs::write(&bot, "[user]\n\tname = Release Bot\n").unwrap();
    let noted = repo
        .incident(&["note", "From the bot by EMAIL"])
        .env("GIT_CONFIG_GLOBAL", &bot)
        .env("EMAIL", "ops@example.com")
        .output()
        .unwrap();
    assert!(
        noted.status.success(),
        "{}",
        String::from_utf8_lossy(&noted.stderr)
    );
    let mut var = std::process::Command::new("git");
    var.args(["var", "GIT_AUTHOR_IDENT"])
        .current_dir(&repo.root)
        .env("HOME", &repo.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &bot)
        .env("EMAIL", "ops@example.com");
    let git_says = String::from_utf8(var.output().unwrap().stdout).unwrap();
    let recorded = repo.git(&["log", "-1", "--format=%an <%ae>"]);
    assert!(
        git_says.starts_with(recorded.trim()),
        "{git_says} / {recorded}"
    );
    assert_eq!(recorded.trim(), "Release Bot <ops@example.com>");
}

#[test]
fn include_if_gitdir_picks_the_identity_as_git_does() {
    let repo = TestRepo::new();
    let work = repo.home.join("work.gitconfig");
    std::fs::write(&work, "[user]\n\temail = alice@work.example\n").unwrap();
    let global = repo.read(repo.home.join(".gitconfig"));
    std::fs::write(
        repo.home.join(".gitconfig"),
        format!(
            "{global}[includeIf \"gitdir:{}/\"]\n\tpath = {}\n",
            repo.root.display(),
            work.display()
        ),
    )
    .unwrap();
    repo.declare(&["Checkout errors"]);
    let recorded = repo.git(&["log", "-1", "--format=%ae"]);
    assert_eq!(recorded.trim(), "alice@work.example");
}

#[test]
fn a_clean_filter_on_the_records_is_refused_before_anything_is_written() {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo.write(".gitattributes", "incidents/** filter=redact\n");
    repo.git(&["config", "filter.redact.clean", "sed s/secret/REDACTED/"]);
    repo.git(&["add", ".gitattributes"]);
    repo.git(&["commit", "-q", "-m", "redact"]);
    let before = repo.fingerprint();
    let stderr = repo.fails(&["note", "the secret is out"]);
    assert!(stderr.contains("has the git filter `redact`"), "{stderr}");
    assert_eq!(before, repo.fingerprint());
}
