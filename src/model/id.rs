//! Incident ids (`YYYY-MM-DD-<slug>_<tag>`) and the rules that keep them inside `incidents/`.

use chrono::{DateTime, Utc};

use crate::error::Error;

/// Longest slug taken from a title; ids stay readable in a shell and a file tree.
const MAX_SLUG_LEN: usize = 48;

/// Longest title, in characters: a title heads `show`, `list` and every
/// draft, and the details belong in the description (`declare --summary`).
pub const MAX_TITLE_CHARS: usize = 200;

/// Turns a title into the slug part of an id: lowercase ASCII letters and digits
/// joined by single dashes, other scripts spelt in ASCII first (`Köln` →
/// `koln`). A title with no such characters gets `incident`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in deunicode::deunicode(title).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG_LEN {
        slug.truncate(MAX_SLUG_LEN);
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "incident".to_string()
    } else {
        slug.to_string()
    }
}

/// Letters and digits of a tag, without the ones people misread (0 and o,
/// 1, i and l).
const TAG_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Characters in a tag: 31⁴, almost a million, so that two clones declaring
/// the same title on the same day get different ids.
const TAG_LEN: usize = 4;

/// The tag that keeps ids apart, from a hex digest of what makes the
/// declaration unique (who, when, what, and noise).
pub fn tag_of(hex_digest: &str) -> String {
    let mut n = u64::from_str_radix(&hex_digest[..hex_digest.len().min(15)], 16).unwrap_or(0);
    let base = TAG_ALPHABET.len() as u64;
    (0..TAG_LEN)
        .map(|_| {
            let c = TAG_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect()
}

/// A new incident's id: the UTC date it was declared, the title's slug, and
/// after `_` (which a slug never holds) a tag no other clone's declaration
/// shares. `tag` is asked again, with 1, 2 …, while `taken` says an id is
/// in use here.
pub fn allocate(
    declared: DateTime<Utc>,
    title: &str,
    tag: impl Fn(u32) -> String,
    taken: impl Fn(&str) -> bool,
) -> String {
    let base = format!("{}-{}", declared.format("%Y-%m-%d"), slugify(title));
    (0..)
        .map(|attempt| format!("{base}_{}", tag(attempt)))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| unreachable!("the attempts do not run out"))
}

/// The slug part of an id: what follows the `YYYY-MM-DD-` date, without
/// the `_<tag>` (ids made before tags have none).
pub fn slug_of(id: &str) -> &str {
    let dated = dated_part(id);
    dated.rsplit_once('_').map_or(dated, |(slug, _)| slug)
}

fn dated_part(id: &str) -> &str {
    let bytes = id.as_bytes();
    let has_date = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10] == b'-';
    if has_date {
        &id[11..]
    } else {
        id
    }
}

/// Checks a title: not empty, one line, at most `MAX_TITLE_CHARS`, and not something that reads as a path out of `incidents/`.
pub fn validate_title(title: &str) -> Result<(), Error> {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidTitle {
            title: title.to_string(),
            reason: "it is empty",
        });
    }
    if trimmed.contains(char::is_control) {
        return Err(Error::InvalidTitle {
            title: title.escape_debug().to_string(),
            reason: "a title is one line; put the details in --summary",
        });
    }
    let chars = trimmed.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(Error::TitleTooLong {
            chars,
            max: MAX_TITLE_CHARS,
        });
    }
    // The id is only ever the slug, but a title like `../x` or `/etc/x` is
    // almost certainly a path typed in the wrong place.
    let looks_like_path = trimmed.split(['/', '\\']).any(|part| part == "..")
        || (trimmed.starts_with(['/', '\\']) && !trimmed.contains(char::is_whitespace));
    if looks_like_path {
        return Err(Error::InvalidTitle {
            title: title.to_string(),
            reason: "it reads as a path outside `incidents/`",
        });
    }
    Ok(())
}

/// Checks an incident reference given on the command line or in `$INCIDENT`: it
/// must name a directory directly inside `incidents/`.
pub fn validate_reference(reference: &str) -> Result<(), Error> {
    let bad = reference.is_empty()
        || reference == "."
        || reference == ".."
        || reference.starts_with('.')
        || reference.contains(['/', '\\', '\0']);
    if bad {
        Err(Error::InvalidReference(reference.to_string()))
    } else {
        Ok(())
    }
}

/// Picks the incidents a reference names: an exact id wins, then exact slugs;
/// otherwise every id the reference is a prefix of, or whose slug starts with it.
pub fn matching_ids<'a>(reference: &str, ids: &'a [String]) -> Vec<&'a String> {
    if let Some(exact) = ids.iter().find(|id| id.as_str() == reference) {
        return vec![exact];
    }
    // `db-down` names `…-db-down` even when `…-db-down-2` exists.
    let same_slug: Vec<&String> = ids.iter().filter(|id| slug_of(id) == reference).collect();
    if !same_slug.is_empty() {
        return same_slug;
    }
    ids.iter()
        .filter(|id| id.starts_with(reference) || slug_of(id).starts_with(reference))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_date_slug_and_a_tag_asked_again_while_taken() {
        let declared = "2026-11-24T06:50:00Z".parse().unwrap();
        let tag = |attempt: u32| format!("t{attempt}");
        let taken = ["2026-11-24-x_t0", "2026-11-24-x_t1"];
        assert_eq!(
            allocate(declared, "Y", tag, |id| taken.contains(&id)),
            "2026-11-24-y_t0"
        );
        assert_eq!(
            allocate(declared, "X", tag, |id| taken.contains(&id)),
            "2026-11-24-x_t2"
        );
    }

    #[test]
    fn tags_are_four_unambiguous_characters() {
        let a = tag_of("8a398ba8e0c38b31");
        assert_eq!(a.len(), TAG_LEN);
        assert!(a.bytes().all(|c| TAG_ALPHABET.contains(&c)), "{a}");
        assert_ne!(a, tag_of("9a398ba8e0c38b31"));
    }

    #[test]
    fn slugs_are_lowercase_ascii_with_single_dashes() {
        assert_eq!(slugify("Checkout: 500s on /pay!"), "checkout-500s-on-pay");
        assert_eq!(slugify("  --Déjà vu--  "), "deja-vu");
        assert_eq!(
            slugify("Zahlungsausfall für Kunden in Köln"),
            "zahlungsausfall-fur-kunden-in-koln"
        );
        assert_eq!(slugify("🔥🔥"), "fire-fire");
        assert_eq!(slugify(&"a".repeat(100)).len(), MAX_SLUG_LEN);
    }

    #[test]
    fn slug_of_strips_the_date() {
        assert_eq!(slug_of("2026-11-24-db-down"), "db-down");
        assert_eq!(slug_of("2026-11-24-db-down_k3f9"), "db-down");
        assert_eq!(slug_of("db-down"), "db-down");
    }

    #[test]
    fn titles_that_escape_are_refused() {
        assert!(validate_title("../x").is_err());
        assert!(validate_title("a/../../b").is_err());
        assert!(validate_title("/etc/passwd").is_err());
        assert!(validate_title("   ").is_err());
        assert!(validate_title("line one\nline two").is_err());
        assert!(validate_title("Disk full on /var/log").is_ok());
        assert!(validate_title("/api/v2 returns 500").is_ok());
    }

    #[test]
    fn titles_are_capped_in_characters_not_bytes() {
        assert!(validate_title(&"a".repeat(MAX_TITLE_CHARS)).is_ok());
        assert!(validate_title(&"ö".repeat(MAX_TITLE_CHARS)).is_ok());
        assert!(validate_title(&format!("  {}  ", "a".repeat(MAX_TITLE_CHARS))).is_ok());
        assert!(matches!(
            validate_title(&"a".repeat(MAX_TITLE_CHARS + 1)),
            Err(Error::TitleTooLong {
                chars: 201,
                max: MAX_TITLE_CHARS
            })
        ));
    }

    #[test]
    fn references_stay_inside_incidents() {
        for bad in ["", ".", "..", "../x", "/abs", "a/b", ".active"] {
            assert!(validate_reference(bad).is_err(), "{bad:?}");
        }
        assert!(validate_reference("2026-11-24-db").is_ok());
    }

    #[test]
    fn references_match_by_exact_id_prefix_or_slug() {
        let ids: Vec<String> = [
            "2026-11-24-db-down",
            "2026-11-24-db-down-2",
            "2026-11-25-api",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(matching_ids("2026-11-24-db-down", &ids).len(), 1);
        assert_eq!(matching_ids("db-down", &ids), vec![&ids[0]]);
        assert_eq!(matching_ids("db-down-2", &ids), vec![&ids[1]]);
        assert_eq!(matching_ids("db", &ids).len(), 2);
        assert_eq!(matching_ids("api", &ids), vec![&ids[2]]);
        assert_eq!(matching_ids("2026-11-25", &ids), vec![&ids[2]]);
        assert!(matching_ids("nope", &ids).is_empty());
    }
}
