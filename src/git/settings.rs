//! The git settings a commit depends on, read from git itself: `git var -l`
//! prints the identities git would commit with and the whole configuration
//! as git sees it (`GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM`,
//! `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_PARAMETERS`, `includeIf`, `EMAIL`),
//! which libgit2 does not all honour. One process, a few milliseconds.

use std::collections::HashMap;

use anyhow::{bail, Context, Result};

use super::Identity;
use crate::error::Error;

/// What `git var -l` said, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Configuration, keys as git prints them (section and name in lower
    /// case); the last value of a key wins, as for git's own lookups.
    config: HashMap<String, String>,
    /// `GIT_AUTHOR_IDENT` and `GIT_COMMITTER_IDENT`, without their time.
    author: Option<Identity>,
    committer: Option<Identity>,
}

/// How commits are signed, as `commit.gpgsign` and `gpg.*` say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    pub format: SigningFormat,
    /// The program git would run: `gpg.<format>.program`, else `gpg.program`
    /// for OpenPGP, else the format's default.
    pub program: String,
    /// `user.signingkey`; for OpenPGP without one, git signs as the
    /// committer.
    pub key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningFormat {
    OpenPgp,
    X509,
    Ssh,
}

/// The environment that decides whether an identity was given rather than
/// guessed, as git's `ident.c` reads it.
#[derive(Debug, Clone, Default)]
pub struct IdentityEnv {
    pub author_name: bool,
    pub author_email: bool,
    pub email: bool,
}

impl IdentityEnv {
    pub fn from_process() -> IdentityEnv {
        let given = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
        IdentityEnv {
            author_name: given("GIT_AUTHOR_NAME"),
            author_email: given("GIT_AUTHOR_EMAIL"),
            email: given("EMAIL"),
        }
    }
}

impl Settings {
    /// Parses `git var -l`: `key=value` lines, the identities among them.
    pub fn parse(text: &str) -> Settings {
        let mut settings = Settings::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "GIT_AUTHOR_IDENT" => settings.author = parse_ident(value),
                "GIT_COMMITTER_IDENT" => settings.committer = parse_ident(value),
                // git's own variables are upper case; config keys never are.
                _ if key.starts_with("GIT_") => {}
                _ => {
                    settings.config.insert(key.to_string(), value.to_string());
                }
            }
        }
        settings
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.config.get(key).map(String::as_str)
    }

    /// A boolean as git reads one; `None` when unset or not a boolean.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        match self.get(key)?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        }
    }

    /// The author git would commit as, refused when git would only have
    /// guessed it from the user account and host name: a record signed
    /// `root <root@host>` helps nobody.
    pub fn author(&self, env: &IdentityEnv) -> Result<Identity, Error> {
        let name_given = env.author_name || self.has("author.name") || self.has("user.name");
        let email_given =
            env.author_email || env.email || self.has("author.email") || self.has("user.email");
        match &self.author {
            Some(author) if name_given && email_given => Ok(author.clone()),
            _ => Err(Error::MissingIdentity),
        }
    }

    /// The committer git would commit as; the author when git said nothing.
    pub fn committer(&self) -> Option<&Identity> {
        self.committer.as_ref()
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| !v.trim().is_empty())
    }

    /// How to sign, if `commit.gpgsign` asks for it. `committer` is the
    /// default OpenPGP key, as in git.
    pub fn signing(&self, committer: &Identity) -> Result<Option<Signing>> {
        if self.get_bool("commit.gpgsign") != Some(true) {
            return Ok(None);
        }
        let format = match self.get("gpg.format").unwrap_or("openpgp") {
            "openpgp" => SigningFormat::OpenPgp,
            "x509" => SigningFormat::X509,
            "ssh" => SigningFormat::Ssh,
            other => bail!(
                "commit.gpgsign is set but gpg.format `{other}` is not one git knows (openpgp, x509, ssh)"
            ),
        };
        let (section, default) = match format {
            SigningFormat::OpenPgp => ("openpgp", "gpg"),
            SigningFormat::X509 => ("x509", "gpgsm"),
            SigningFormat::Ssh => ("ssh", "ssh-keygen"),
        };
        let program = self
            .get(&format!("gpg.{section}.program"))
            .or(match format {
                SigningFormat::OpenPgp => self.get("gpg.program"),
                _ => None,
            })
            .unwrap_or(default)
            .to_string();
        let key = match (self.get("user.signingkey"), format) {
            (Some(key), _) if !key.trim().is_empty() => key.trim().to_string(),
            (_, SigningFormat::Ssh) => bail!(
                "commit.gpgsign is set with gpg.format=ssh but user.signingkey is not; set it to the key's file, as git needs"
            ),
            _ => format!("{} <{}>", committer.name, committer.email),
        };
        Ok(Some(Signing {
            format,
            program,
            key,
        }))
    }
}

/// `Name <email> 1700000000 +0000` as git prints an identity.
fn parse_ident(value: &str) -> Option<Identity> {
    let (name, rest) = value.split_once(" <")?;
    let (email, _) = rest.split_once('>')?;
    Some(Identity {
        name: name.trim().to_string(),
        email: email.trim().to_string(),
    })
}

/// Runs `git var -l` as `git` would be run in this repository.
pub(super) fn read(mut git: std::process::Command) -> Result<Settings> {
    let output = git
        .args(["var", "-l"])
        .stdin(std::process::Stdio::null())
        .output()
        .context("cannot run git to read its settings (is git installed?)")?;
    if !output.status.success() {
        bail!(
            "git cannot read its settings: {}",
            super::last_meaningful_line(&String::from_utf8_lossy(&output.stderr))
        );
    }
    Ok(Settings::parse(&String::from_utf8_lossy(&output.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "user.name=Alice Example\nuser.email=alice@example.com\ncommit.gpgsign=true\nGIT_COMMITTER_IDENT=Bot <bot@example.com> 1796430436 +0000\nGIT_AUTHOR_IDENT=Alice Example <alice@example.com> 1796430436 +0100\nGIT_EDITOR=vi\n";

    fn alice() -> Identity {
        Identity {
            name: "Alice Example".into(),
            email: "alice@example.com".into(),
        }
    }

    #[test]
    fn identities_come_from_git_and_config_keys_are_kept() {
        let settings = Settings::parse(LISTING);
        assert_eq!(settings.author(&IdentityEnv::default()).unwrap(), alice());
        assert_eq!(settings.committer().unwrap().name, "Bot");
        assert_eq!(settings.get_bool("commit.gpgsign"), Some(true));
        assert_eq!(settings.get("GIT_EDITOR"), None);
    }

    #[test]
    fn a_guessed_identity_is_refused_and_a_given_one_is_not() {
        let guessed = Settings::parse("GIT_AUTHOR_IDENT=root <root@vm.(none)> 1 +0000\n");
        assert!(matches!(
            guessed.author(&IdentityEnv::default()),
            Err(Error::MissingIdentity)
        ));
        let only_email = IdentityEnv {
            email: true,
            ..IdentityEnv::default()
        };
        assert!(matches!(
            guessed.author(&only_email),
            Err(Error::MissingIdentity)
        ));
        let both = IdentityEnv {
            author_name: true,
            email: true,
            ..IdentityEnv::default()
        };
        assert_eq!(guessed.author(&both).unwrap().email, "root@vm.(none)");
    }

    #[test]
    fn the_last_value_of_a_key_wins() {
        let settings = Settings::parse("user.name=First\nuser.name=Second\n");
        assert_eq!(settings.get("user.name"), Some("Second"));
    }

    #[test]
    fn signing_follows_the_format_program_and_key_as_git_does() {
        let settings = Settings::parse(LISTING);
        let signing = settings.signing(&alice()).unwrap().unwrap();
        assert_eq!(signing.format, SigningFormat::OpenPgp);
        assert_eq!(signing.program, "gpg");
        assert_eq!(signing.key, "Alice Example <alice@example.com>");

        let ssh = Settings::parse(
            "commit.gpgsign=yes\ngpg.format=ssh\nuser.signingkey=/k/id\ngpg.program=mygpg\n",
        );
        let signing = ssh.signing(&alice()).unwrap().unwrap();
        assert_eq!(
            (
                signing.format,
                signing.program.as_str(),
                signing.key.as_str()
            ),
            (SigningFormat::Ssh, "ssh-keygen", "/k/id")
        );
        let gpg = Settings::parse("commit.gpgsign=on\ngpg.program=mygpg\nuser.signingkey=ABCD\n");
        let signing = gpg.signing(&alice()).unwrap().unwrap();
        assert_eq!(
            (signing.program.as_str(), signing.key.as_str()),
            ("mygpg", "ABCD")
        );
    }

    #[test]
    fn signing_is_off_unless_asked_and_refused_when_it_cannot_be_done() {
        assert_eq!(Settings::parse("").signing(&alice()).unwrap(), None);
        let off = Settings::parse("commit.gpgsign=false\ngpg.format=ssh\n");
        assert_eq!(off.signing(&alice()).unwrap(), None);
        let keyless = Settings::parse("commit.gpgsign=true\ngpg.format=ssh\n");
        let error = keyless.signing(&alice()).unwrap_err().to_string();
        assert!(error.contains("user.signingkey"), "{error}");
        let unknown = Settings::parse("commit.gpgsign=true\ngpg.format=pgp2\n");
        assert!(unknown
            .signing(&alice())
            .unwrap_err()
            .to_string()
            .contains("pgp2"));
    }
}
