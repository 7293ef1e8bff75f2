//! `git aos __complete -- <words…> <current>` (hidden): the candidates for the word being
//! completed, one per line, computed from the clap definitions (commands, flags, possible
//! values) and the repository (workstream and task names). The shell scripts of
//! `git aos completions` only call this, so every shell completes the same way.

use clap::{Arg, Command, CommandFactory};

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;

/// Print completion candidates (used by the scripts of `git aos completions`)
#[derive(clap::Args, Debug)]
pub struct CompleteArgs {
    /// The words after `aos` up to the cursor; the last one is the word being completed
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

/// Prints the candidates; never fails loudly (a completion must not print errors).
pub fn run(ui: &Ui, args: CompleteArgs) -> anyhow::Result<()> {
    let mut words = args.words;
    if words.first().is_some_and(|w| w == "--") {
        words.remove(0);
    }
    let current = words.pop().unwrap_or_default();
    for candidate in candidates(&super::Cli::command(), &words, &current, &Names) {
        ui.data(candidate);
    }
    Ok(())
}

/// Where names that change come from.
pub(crate) trait Source {
    /// Returns the live workstreams.
    fn workstreams(&self) -> Vec<String>;
    /// Returns the task ids of a workstream.
    fn tasks(&self, workstream: &str) -> Vec<String>;
}

/// Names read from the repository the command runs in.
struct Names;

impl Source for Names {
    fn workstreams(&self) -> Vec<String> {
        Ctx::discover()
            .and_then(|ctx| ctx.store.list_live())
            .map(|live| live.into_iter().map(|(n, _)| n.to_string()).collect())
            .unwrap_or_default()
    }

    fn tasks(&self, workstream: &str) -> Vec<String> {
        let Ok(name) = workstream.parse::<WorkstreamName>() else {
            return Vec::new();
        };
        Ctx::discover()
            .and_then(|ctx| {
                let snap = ctx.store.find(&name)?;
                ctx.store.tasks(&snap)
            })
            .map(|t| t.tasks.into_iter().map(|t| t.id.to_string()).collect())
            .unwrap_or_default()
    }
}

/// Returns the candidates for `current` after `words` (the words after `aos`).
pub(crate) fn candidates(
    root: &Command,
    words: &[String],
    current: &str,
    names: &dyn Source,
) -> Vec<String> {
    let mut cmd = root;
    let mut positionals: Vec<&str> = Vec::new();
    let mut skip_value = false;
    let mut ws_flag: Option<&str> = None;
    for (i, word) in words.iter().enumerate() {
        if skip_value {
            skip_value = false;
            if words[i - 1] == "--ws" {
                ws_flag = Some(word);
            }
            continue;
        }
        if word.starts_with('-') {
            skip_value = !word.contains('=') && flag(cmd, word).is_some_and(takes_value);
            continue;
        }
        match cmd.find_subcommand(word).filter(|_| positionals.is_empty()) {
            Some(sub) => cmd = sub,
            None => positionals.push(word),
        }
    }
    let keep = |c: &String| c.starts_with(current);
    let workstream = ws_flag.or(positionals.first().copied());
    let values = |arg: &Arg| match arg.get_id().as_str() {
        // A new workstream's name is the person's to choose.
        "name" | "names" | "ws" if cmd.get_name() != "new" => names.workstreams(),
        "task" => workstream.map(|ws| names.tasks(ws)).unwrap_or_default(),
        _ => possible_values(arg),
    };
    if skip_value {
        let last = words.last().map(String::as_str).unwrap_or_default();
        return flag(cmd, last)
            .map(values)
            .unwrap_or_default()
            .into_iter()
            .filter(keep)
            .collect();
    }
    if current.starts_with('-') {
        return cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .filter(keep)
            .collect();
    }
    if cmd.has_subcommands() && positionals.is_empty() {
        return cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_owned())
            .filter(keep)
            .collect();
    }
    let Some(arg) = positional_at(cmd, positionals.len()) else {
        return Vec::new();
    };
    values(arg).into_iter().filter(keep).collect()
}

/// Returns the flag `word` names (`--long`, `--long=v`, `-s`) in `cmd`.
fn flag<'a>(cmd: &'a Command, word: &str) -> Option<&'a Arg> {
    let word = word.split('=').next().unwrap_or(word);
    cmd.get_arguments().find(|a| {
        word.strip_prefix("--")
            .is_some_and(|l| a.get_long() == Some(l))
            || word
                .strip_prefix('-')
                .and_then(|s| s.chars().next())
                .is_some_and(|c| word.len() == 2 && a.get_short() == Some(c))
    })
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.takes_values())
}

fn possible_values(arg: &Arg) -> Vec<String> {
    arg.get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect()
}

/// Returns the positional argument that takes the `index`-th positional word.
fn positional_at(cmd: &Command, index: usize) -> Option<&Arg> {
    for (seen, arg) in cmd.get_positionals().enumerate() {
        let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        if many || seen == index {
            return Some(arg);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl Source for Fixed {
        fn workstreams(&self) -> Vec<String> {
            vec!["auth".into(), "billing".into()]
        }
        fn tasks(&self, ws: &str) -> Vec<String> {
            match ws {
                "auth" => vec!["T1".into(), "T2".into()],
                _ => Vec::new(),
            }
        }
    }

    fn complete(line: &str) -> Vec<String> {
        let mut words: Vec<String> = line.split(' ').map(str::to_owned).collect();
        let current = words.pop().unwrap();
        let mut root = crate::cli::Cli::command();
        root.build();
        candidates(&root, &words, &current, &Fixed)
    }

    #[test]
    fn commands_flags_and_names_complete() {
        assert_eq!(complete("sta"), ["status"]);
        assert_eq!(complete("status "), ["auth", "billing"]);
        assert_eq!(complete("status b"), ["billing"]);
        assert!(complete("run --").contains(&"--loop".to_owned()));
        assert_eq!(complete("run auth b"), ["billing"], "run takes many");
        assert_eq!(complete("new "), Vec::<String>::new(), "a new name is free");
        assert_eq!(complete("agent try --ws auth --task "), ["T1", "T2"]);
        assert_eq!(
            complete("hooks "),
            ["install", "uninstall", "status", "help"]
        );
        assert_eq!(complete("merge --strategy s"), ["squash"]);
        assert_eq!(complete("completions f"), ["fish"]);
    }
}
