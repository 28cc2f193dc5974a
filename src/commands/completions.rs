//! `incident completions`: the shell completion script, generated from the
//! command-line definitions, with incident ids and checklist items added for
//! bash, zsh and fish.
//!
//! Why not clap_complete's own dynamic completion (`unstable-dynamic`,
//! `CompleteEnv`): it is behind an unstable feature whose API may change in a
//! minor release, and it replaces the scripts with a stub that runs the
//! binary for every word. Instead the static script clap generates is kept,
//! and a small shell function is added that asks the hidden
//! `incident complete ids|items` for the values of `--incident`, the `[ID]`
//! of `show`, `summary`, `update` and `rca`, and the item of `check` and
//! `uncheck`, leaving everything else to clap's script. Elvish and
//! PowerShell get clap's static script only.

use std::io::Write;

use anyhow::{bail, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Globals, Outcome};
use crate::cli::Cli;

/// Print the completion script for a shell
///
/// It completes commands, options and their fixed values; for bash, zsh and
/// fish also incident ids (--incident, and the incident of show, summary,
/// update and rca) and checklist items (check, uncheck), which it asks
/// `incident` for as you type. Elvish and PowerShell complete no ids. Save it
/// where the shell looks for completions, for example
/// `incident completions bash > ~/.local/share/bash-completion/completions/incident`.
/// Needs no repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    pub shell: Shell,
}

/// Subcommands whose one positional is an incident.
const ID_COMMANDS: [&str; 4] = ["show", "summary", "update", "rca"];
/// Subcommands whose one positional is a checklist item.
const ITEM_COMMANDS: [&str; 2] = ["check", "uncheck"];

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let mut cli = Cli::command();
    let name = cli.get_name().to_string();
    // Rendered whole before printing: `clap_complete` panics when a write
    // fails, and a reader that stops early (`| head`) must end quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, &name, &mut script);
    let script = String::from_utf8(script)?;
    let script = match args.shell {
        Shell::Bash => format!("{script}{}", bash_dynamic(&cli)),
        Shell::Zsh => zsh_dynamic(&script)?,
        Shell::Fish => format!("{script}{FISH_DYNAMIC}"),
        _ => script,
    };
    std::io::stdout().lock().write_all(script.as_bytes())?;
    Ok(Outcome::Done)
}

/// The options of `sub` that take a value, as the shell sees them
/// (`-o --output`), so the bash function can skip their values when it
/// counts positionals.
fn valued_options(cli: &clap::Command, sub: &str) -> String {
    let Some(sub) = cli.find_subcommand(sub) else {
        return String::new();
    };
    let mut words = Vec::new();
    for arg in sub.get_arguments() {
        if arg.is_positional() || !arg.get_num_args().is_some_and(|n| n.takes_values()) {
            continue;
        }
        words.extend(arg.get_short().map(|s| format!("-{s}")));
        words.extend(arg.get_long().map(|l| format!("--{l}")));
    }
    words.join(" ")
}

/// A function run before clap's `_incident`: it answers for incident ids and
/// checklist items and hands every other word to `_incident`.
fn bash_dynamic(cli: &clap::Command) -> String {
    let mut cli = cli.clone();
    cli.build();
    let cases: String = ID_COMMANDS
        .iter()
        .chain(&ITEM_COMMANDS)
        .map(|sub| {
            format!(
                "                    {sub}) valued=\"{}\" ;;\n",
                valued_options(&cli, sub)
            )
        })
        .collect();
    BASH_DYNAMIC
        .replace("@VALUED_CASES@\n", &cases)
        .replace("@ID_COMMANDS@", &ID_COMMANDS.join("|"))
        .replace("@ITEM_COMMANDS@", &ITEM_COMMANDS.join("|"))
}

const BASH_DYNAMIC: &str = r#"
# Incident ids and checklist items, asked of `incident complete` (the same
# binary the command line names); everything else is clap's `_incident`.
_incident_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local i w sub="" valued="" target="" positionals=0 kind=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "${w}" in
            -i|--incident) target="${COMP_WORDS[i+1]}"; i=$((i + 1)); continue ;;
            --incident=*) target="${w#--incident=}"; continue ;;
        esac
        if [[ -z "${sub}" ]]; then
            if [[ "${w}" != -* ]]; then
                sub="${w}"
                case "${sub}" in
@VALUED_CASES@
                esac
            fi
        elif [[ " ${valued} " == *" ${w} "* ]]; then
            i=$((i + 1))
        elif [[ "${w}" != -* ]]; then
            positionals=$((positionals + 1))
        fi
    done
    case "${prev}" in
        -i|--incident) kind=ids ;;
        *)
            if [[ "${cur}" != -* && ${positionals} -eq 0 && " ${valued} " != *" ${prev} "* ]]; then
                case "${sub}" in
                    @ID_COMMANDS@) kind=ids ;;
                    @ITEM_COMMANDS@) kind=items ;;
                esac
            fi
            ;;
    esac
    if [[ -z "${kind}" ]]; then
        _incident "$@"
        return
    fi
    local words
    if [[ "${kind}" == items ]]; then
        words="$("${COMP_WORDS[0]}" ${target:+--incident "${target}"} complete items 2>/dev/null)"
    else
        words="$("${COMP_WORDS[0]}" complete ids 2>/dev/null)"
    fi
    COMPREPLY=( $(compgen -W "${words}" -- "${cur}") )
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _incident_dynamic -o nosort -o bashdefault -o default incident
else
    complete -F _incident_dynamic -o bashdefault -o default incident
fi
"#;

/// clap's zsh script with the completer of `--incident`, the `[ID]`s and the
/// items replaced by functions that ask `incident complete`. The script is
/// edited by its text; should a newer clap_complete write it differently,
/// this fails (and `tests/cli/completions.rs` with it) rather than quietly
/// completing nothing.
fn zsh_dynamic(script: &str) -> Result<String> {
    let mut out = String::with_capacity(script.len() + ZSH_DYNAMIC.len());
    let (mut ids, mut items) = (0, 0);
    for line in script.split_inclusive('\n') {
        let completer = if line.contains("]:ID:_default'") || line.starts_with("'::id -- ") {
            Some(("_default'", "_incident_complete_ids'"))
        } else if line.starts_with("':item -- ") {
            Some(("_default'", "_incident_complete_items'"))
        } else {
            None
        };
        match completer {
            Some((from, to)) if line.contains(from) => {
                if to.contains("items") {
                    items += 1;
                } else {
                    ids += 1;
                }
                out.push_str(&line.replacen(from, to, 1));
            }
            _ => out.push_str(line),
        }
    }
    let tail = "if [ \"$funcstack[1]\" = \"_incident\" ]; then";
    if ids == 0 || items == 0 || !out.contains(tail) {
        bail!("clap_complete's zsh script has changed shape; incident ids cannot be added to it");
    }
    Ok(out.replacen(tail, &format!("{ZSH_DYNAMIC}{tail}"), 1))
}

const ZSH_DYNAMIC: &str = r#"# Incident ids and checklist items, asked of `incident complete`.
(( $+functions[_incident_complete_ids] )) ||
_incident_complete_ids() {
    local -a ids
    ids=(${(f)"$(incident complete ids 2>/dev/null)"})
    compadd -a ids
}
(( $+functions[_incident_complete_items] )) ||
_incident_complete_items() {
    local -a items
    local target=${opt_args[-i]:-${opt_args[--incident]}}
    items=(${(f)"$(incident ${target:+--incident=$target} complete items 2>/dev/null)"})
    compadd -a items
}

"#;

const FISH_DYNAMIC: &str = r#"
# Incident ids and checklist items, asked of `incident complete`.
function __fish_incident_complete_items
    set -l words (commandline -opc)
    set -l target
    for i in (seq (count $words))
        switch $words[$i]
            case -i --incident
                if test $i -lt (count $words)
                    set target --incident $words[(math $i + 1)]
                end
            case '--incident=*'
                set target $words[$i]
        end
    end
    $words[1] $target complete items 2>/dev/null
end
complete -c incident -s i -l incident -x -a '(incident complete ids 2>/dev/null)'
complete -c incident -n "__fish_incident_using_subcommand show summary update rca" -f -a '(incident complete ids 2>/dev/null)'
complete -c incident -n "__fish_incident_using_subcommand check uncheck" -f -a '(__fish_incident_complete_items)'
"#;
