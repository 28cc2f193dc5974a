//! The dashboard `incident show` prints for people: where one incident stands,
//! on one screen. Built as `ui::Line`s, so record text is escaped and colour
//! is added only when the run has it on; the same content either way.

use chrono::{DateTime, Utc};

use crate::clock;
use crate::model::checklist::{self, CheckItem};
use crate::model::due::{DueItem, DueKind};
use crate::model::duration;
use crate::model::incident::{Incident, Role, Status};
use crate::model::text::first_line;
use crate::model::timeline::{self, Entry};
use crate::ui::{style, Line, Palette};

/// Open items shown per role before the rest fold into "+N more".
const ITEMS_PER_ROLE: usize = 3;
/// Due items shown before the rest fold (`incident due` lists them all).
const DUE_SHOWN: usize = 4;
/// Timeline entries shown.
const RECENT_ENTRIES: usize = 5;
/// Characters of an entry's or a task's text on its line.
const TEXT_WIDTH: usize = 72;

/// What the dashboard is drawn from.
pub struct Dashboard<'a> {
    pub incident: &'a Incident,
    pub checklist: &'a [CheckItem],
    pub timeline: &'a [Entry],
    pub due: &'a [DueItem],
    pub now: DateTime<Utc>,
}

impl Dashboard<'_> {
    /// The lines to print, sections apart by a blank line.
    pub fn lines(&self, palette: Palette) -> Vec<Line> {
        let mut lines = self.header(palette);
        for section in [
            self.roles(palette),
            self.open_items(palette),
            self.due_next(palette),
            self.last_entries(palette),
        ] {
            if !section.is_empty() {
                lines.push(palette.line());
                lines.extend(section);
            }
        }
        lines
    }

    fn header(&self, p: Palette) -> Vec<Line> {
        let incident = self.incident;
        let mut lines = vec![p
            .line()
            .paint(style::HEADING, &incident.id)
            .push("  ")
            .push(&incident.title)];
        let t = &incident.timestamps;
        let status_style = if incident.status.is_active() {
            style::WARN
        } else {
            style::GOOD
        };
        let mut state = p
            .line()
            .push("  ")
            .paint(style::severity(&incident.severity), &incident.severity)
            .push(" · ")
            .paint(status_style, incident.status)
            .push(" · ")
            .push(incident.incident_type);
        if let Some(begun) = t.declared.or(t.started) {
            let ended = match incident.status {
                Status::Resolved | Status::Closed => t.resolved.or(t.closed),
                _ => None,
            };
            state = match ended {
                Some(end) => state.push(format!(" · lasted {}", duration::format(end - begun))),
                None => state.push(format!(" · open {}", duration::format(self.now - begun))),
            };
        }
        lines.push(state);
        // The milestones so far, so a resolved incident shows how it went.
        let milestones: Vec<String> = [
            ("declared", t.declared),
            ("impact began", t.started),
            ("detected", t.detected),
            ("identified", t.identified),
            ("mitigated", t.mitigated),
            ("resolved", t.resolved),
            ("closed", t.closed),
        ]
        .into_iter()
        .filter_map(|(what, at)| at.map(|at| format!("{what} {}", clock::format_local(at))))
        .collect();
        if !milestones.is_empty() {
            lines.push(
                p.line()
                    .paint(style::DIM, format!("  {}", milestones.join(" · "))),
            );
        }
        if !incident.services.is_empty() {
            lines.push(
                p.line()
                    .push(format!("  services: {}", incident.services.join(", "))),
            );
        }
        lines
    }

    fn roles(&self, p: Palette) -> Vec<Line> {
        let incident = self.incident;
        let mut lines = vec![p.line().paint(style::HEADING, "Roles")];
        let pending = timeline::pending_handoffs(self.timeline);
        for role in Role::ALL {
            let line = p.line().push(format!("  {:<20}", role.title()));
            let mut line = match incident.roles.get(role) {
                Some(holder) => line.push(holder),
                None => line.paint(style::DIM, "unassigned"),
            };
            if pending.contains(&role) {
                line = line.paint(
                    style::WARN,
                    format!("  (handoff not accepted yet: `incident role accept {role}`)"),
                );
            }
            lines.push(line);
        }
        for sme in &incident.smes {
            lines.push(
                p.line()
                    .push(format!("  {:<20}{} ({})", "SME", sme.name, sme.area)),
            );
        }
        lines
    }

    fn open_items(&self, p: Palette) -> Vec<Line> {
        let open: Vec<&CheckItem> = self.checklist.iter().filter(|i| !i.checked).collect();
        let total = self.checklist.len();
        if total == 0 {
            return Vec::new();
        }
        if open.is_empty() {
            return vec![p
                .line()
                .paint(style::HEADING, "Open items")
                .paint(style::GOOD, format!(": none, all {total} done"))];
        }
        let mut lines = vec![p
            .line()
            .paint(style::HEADING, "Open items")
            .push(format!(": {} of {total}", open.len()))];
        for (role, items) in group_by_role(&open) {
            lines.push(p.line().push(format!("  {role} ({})", items.len())));
            let (shown, folded) = fold(items.len(), ITEMS_PER_ROLE);
            for item in &items[..shown] {
                let mut line = p
                    .line()
                    .push(format!("    [ ] {}  ", item.id))
                    .push(first_line(&item.text, TEXT_WIDTH));
                if item.required {
                    line = line.paint(style::DIM, " (required)");
                }
                if checklist::is_never_done(item, self.incident.status) {
                    line = line.paint(style::DIM, " (never done)");
                }
                lines.push(line);
            }
            if folded > 0 {
                lines.push(p.line().paint(style::DIM, format!("    … +{folded} more")));
            }
        }
        lines
    }

    fn due_next(&self, p: Palette) -> Vec<Line> {
        // Start items are listed above; here they are one line.
        let start_items = self
            .due
            .iter()
            .filter(|i| i.kind == DueKind::StartItem)
            .count();
        let mut start_shown = false;
        let rows: Vec<&DueItem> = self
            .due
            .iter()
            .filter(|item| {
                let first_start = item.kind == DueKind::StartItem && !start_shown;
                start_shown |= first_start;
                item.kind != DueKind::StartItem || first_start
            })
            .collect();
        if rows.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![p.line().paint(style::HEADING, "Due next")];
        let (shown, folded) = fold(rows.len(), DUE_SHOWN);
        for item in &rows[..shown] {
            let (when, when_style) = if item.overdue {
                (
                    format!("overdue {}", duration::format(self.now - item.due)),
                    style::ALERT,
                )
            } else {
                (
                    format!("due in {}", duration::format(item.due - self.now)),
                    style::PLAIN,
                )
            };
            let what = if item.kind == DueKind::StartItem {
                format!("{start_items} start items open")
            } else {
                format!("{}: {}", item.id, first_line(&item.what, TEXT_WIDTH))
            };
            lines.push(
                p.line()
                    .push("  ")
                    .paint(when_style, format!("{when:<16}"))
                    .paint(style::DIM, clock::format_local_hm(item.due))
                    .push(format!("  {what}")),
            );
        }
        if folded > 0 {
            lines.push(p.line().paint(
                style::DIM,
                format!("  … +{folded} more (incident due lists them all)"),
            ));
        }
        lines
    }

    fn last_entries(&self, p: Palette) -> Vec<Line> {
        let timeline = self.timeline;
        let skip = timeline.len().saturating_sub(RECENT_ENTRIES);
        let mut lines = vec![p.line().paint(style::HEADING, "Last entries").push(format!(
            " ({} of {})",
            timeline.len() - skip,
            timeline.len()
        ))];
        for entry in &timeline[skip..] {
            let header = &entry.header;
            lines.push(
                p.line()
                    .push("  ")
                    .paint(
                        style::DIM,
                        format!("{:<10}", duration::ago(header.at, self.now)),
                    )
                    .push(format!("  {:<10}  ", header.kind.to_string()))
                    .push(format!(
                        "{}: {}",
                        header.author,
                        first_line(&entry.text, TEXT_WIDTH)
                    )),
            );
        }
        lines
    }
}

/// Open items by the role their id starts with (`commander.announce`), in
/// the order the checklist first names each role; ids without a role part
/// go under `other`.
fn group_by_role<'a>(items: &[&'a CheckItem]) -> Vec<(&'a str, Vec<&'a CheckItem>)> {
    let mut groups: Vec<(&str, Vec<&CheckItem>)> = Vec::new();
    for item in items {
        let role = item.id.split_once('.').map_or("other", |(role, _)| role);
        match groups.iter_mut().find(|(name, _)| *name == role) {
            Some((_, group)) => group.push(item),
            None => groups.push((role, vec![item])),
        }
    }
    groups
}

/// How many of `len` rows to show and how many fold into "+N more": all of
/// them when folding would hide just one (the count takes a line too).
fn fold(len: usize, keep: usize) -> (usize, usize) {
    if len <= keep + 1 {
        (len, 0)
    } else {
        (keep, len - keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_only_when_it_saves_a_line() {
        assert_eq!(fold(3, 3), (3, 0));
        assert_eq!(fold(4, 3), (4, 0));
        assert_eq!(fold(9, 3), (3, 6));
        assert_eq!(fold(0, 3), (0, 0));
    }

    #[test]
    fn groups_items_by_the_role_in_their_id() {
        let items = crate::model::checklist::parse(
            "- [ ] A <!-- id:commander.a -->\n- [ ] B <!-- id:support.b -->\n\
             - [ ] C <!-- id:commander.c -->\n- [ ] D <!-- id:loose -->\n",
        );
        let refs: Vec<&CheckItem> = items.iter().collect();
        let groups: Vec<(&str, Vec<&str>)> = group_by_role(&refs)
            .into_iter()
            .map(|(role, items)| (role, items.iter().map(|i| i.id.as_str()).collect()))
            .collect();
        assert_eq!(
            groups,
            [
                ("commander", vec!["commander.a", "commander.c"]),
                ("support", vec!["support.b"]),
                ("other", vec!["loose"]),
            ]
        );
    }
}
