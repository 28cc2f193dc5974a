//! Follow-up actions: what the team agreed to do after an incident, who owns
//! each one, by when, and whether it is done. Each action is a timeline
//! entry of kind `action`; closing it is another entry, of kind `done`, that
//! names the action in an `action:<id>` change. Both are files of their own,
//! so actions added or closed on different clones merge without touching
//! each other, and the list of actions in `incident.md` is a fold of those
//! entries (see [`fold`]), kept there so that listing the actions of every
//! incident reads no timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rfc3339;
use super::text::first_line;
use super::timeline::{Entry, EntryKind, Field};
use crate::error::Error;

/// The `from` of the change that closes an action.
pub const OPEN: &str = "open";

/// The `to` of the change that closes an action.
pub const DONE: &str = "done";

/// Longest first line of an action's text kept in `incident.md`; the whole
/// text stays in the timeline.
const TEXT_CHARS: usize = 120;

/// One follow-up action as `incident.md` keeps it, folded from the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Short and stable: the content hash that ends the file name of the
    /// action's timeline entry (see [`id_of`]).
    pub id: String,
    /// The first line of the action's text.
    pub text: String,
    /// Who sees it through; `None` for an action noted without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it should be done by, if a date was set.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rfc3339::deserialize_option"
    )]
    pub due: Option<DateTime<Utc>>,
    /// When it was done; absent while the action is open.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rfc3339::deserialize_option"
    )]
    pub done: Option<DateTime<Utc>>,
    /// What shows it done: a URL or a commit, as given to `action done --link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Action {
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    /// `open` or `done`.
    pub fn state(&self) -> &'static str {
        if self.is_open() {
            OPEN
        } else {
            DONE
        }
    }

    /// Whether it is open and its due time has passed at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && self.due.is_some_and(|due| now > due)
    }
}

/// The action id of an action entry: the content hash at the end of the
/// entry's file name (`20261124T065000Z-000-1a2b3c4d` gives `1a2b3c4d`).
/// The hash covers who wrote it, its text and clock noise, so actions added
/// on two clones in the same second still get different ids.
pub fn id_of(entry_id: &str) -> &str {
    entry_id.rsplit('-').next().unwrap_or(entry_id)
}

/// Every action the timeline records, in timeline order, each with its
/// state: the first `done` entry naming an action closes it (a second one,
/// from a clone that had not seen the first, changes nothing). A `done`
/// entry is applied whatever its place in the timeline, so a clock running
/// slow on one clone cannot leave an action open.
pub fn fold(entries: &[Entry]) -> Vec<Action> {
    let mut actions: Vec<Action> = entries
        .iter()
        .filter(|entry| entry.header.kind == EntryKind::Action)
        .map(|entry| Action {
            id: id_of(&entry.id).to_string(),
            text: first_line(&entry.text, TEXT_CHARS),
            owner: entry
                .header
                .owner
                .as_deref()
                .map(str::trim)
                .filter(|owner| !owner.is_empty())
                .map(str::to_string),
            due: entry.header.due,
            done: None,
            link: None,
        })
        .collect();
    for entry in entries {
        for change in &entry.header.changes {
            let Field::Action(id) = &change.field else {
                continue;
            };
            if change.to.as_deref() != Some(DONE) {
                continue;
            }
            for action in actions.iter_mut().filter(|a| &a.id == id) {
                if action.done.is_none_or(|done| entry.header.at < done) {
                    action.done = Some(entry.header.at);
                    action.link = entry.header.link.clone();
                }
            }
        }
    }
    actions
}

/// The action `id` names among `actions`, open: an unknown id or one already
/// done is an error naming what there is.
pub fn open_action<'a>(
    actions: &'a [Action],
    incident: &str,
    id: &str,
) -> Result<&'a Action, Error> {
    let id = id.trim();
    let Some(action) = actions.iter().find(|action| action.id == id_of(id)) else {
        return Err(Error::UnknownAction {
            id: id.to_string(),
            incident: incident.to_string(),
            known: actions.iter().map(|a| a.id.clone()).collect(),
        });
    };
    match action.done {
        Some(done) => Err(Error::ActionAlreadyDone {
            id: action.id.clone(),
            done,
        }),
        None => Ok(action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{at, bare_entry};
    use crate::model::timeline::Change;

    fn entry(id: &str, hh_mm: &str, kind: EntryKind, text: &str) -> Entry {
        Entry {
            text: text.to_string(),
            ..bare_entry(id, hh_mm, kind)
        }
    }

    fn added(id: &str, hh_mm: &str, owner: &str) -> Entry {
        let mut entry = entry(id, hh_mm, EntryKind::Action, "Alert on errors\n\nDetails.");
        entry.header.owner = Some(owner.into());
        entry.header.due = Some(at("23:00"));
        entry
    }

    fn done(hh_mm: &str, action: &str, link: &str) -> Entry {
        let mut entry = entry(&format!("x-{hh_mm}"), hh_mm, EntryKind::Done, "done");
        entry.header.changes = vec![Change {
            field: Field::Action(action.into()),
            from: Some(OPEN.into()),
            to: Some(DONE.into()),
        }];
        entry.header.link = Some(link.into());
        entry
    }

    #[test]
    fn an_action_entry_is_an_open_action_until_a_done_entry_names_it() {
        let timeline = [
            added("20261124T070000Z-000-aaaa1111", "07:00", "dana"),
            added("20261124T070500Z-000-bbbb2222", "07:05", " "),
        ];
        let actions = fold(&timeline);
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[0].id, "aaaa1111");
        assert_eq!(actions[0].text, "Alert on errors");
        assert_eq!(actions[0].owner.as_deref(), Some("dana"));
        assert_eq!(actions[0].due, Some(at("23:00")));
        assert_eq!(actions[1].owner, None, "a blank owner is no owner");
        assert!(actions.iter().all(Action::is_open));
        assert!(actions[0].is_overdue(at("23:01")));
        assert!(!actions[0].is_overdue(at("22:59")));

        let mut closed = timeline.to_vec();
        closed.push(done("08:00", "bbbb2222", "abc123"));
        let actions = fold(&closed);
        assert_eq!(actions[0].state(), OPEN);
        assert_eq!(actions[1].state(), DONE);
        assert_eq!(actions[1].done, Some(at("08:00")));
        assert_eq!(actions[1].link.as_deref(), Some("abc123"));
        assert!(!actions[1].is_overdue(at("23:59")));
    }

    #[test]
    fn the_first_done_wins_wherever_it_falls_in_the_timeline() {
        // Closed on two clones, one of them with a clock running slow.
        let timeline = [
            done("06:00", "aaaa1111", "first"),
            added("20261124T070000Z-000-aaaa1111", "07:00", "dana"),
            done("08:00", "aaaa1111", "second"),
        ];
        let actions = fold(&timeline);
        assert_eq!(actions[0].done, Some(at("06:00")));
        assert_eq!(actions[0].link.as_deref(), Some("first"));
    }

    #[test]
    fn closing_names_unknown_and_finished_actions() {
        let actions = fold(&[
            added("20261124T070000Z-000-aaaa1111", "07:00", "dana"),
            added("20261124T070500Z-000-bbbb2222", "07:05", "erin"),
            done("08:00", "bbbb2222", "l"),
        ]);
        assert_eq!(
            open_action(&actions, "x", "aaaa1111").unwrap().id,
            "aaaa1111"
        );
        // The whole entry id works too.
        assert_eq!(
            open_action(&actions, "x", "20261124T070000Z-000-aaaa1111")
                .unwrap()
                .id,
            "aaaa1111"
        );
        assert!(matches!(
            open_action(&actions, "x", "bbbb2222"),
            Err(Error::ActionAlreadyDone { .. })
        ));
        assert!(matches!(
            open_action(&actions, "x", "cccc3333"),
            Err(Error::UnknownAction { .. })
        ));
    }
}
