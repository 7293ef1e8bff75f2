//! `git aos hook <name> [args]`: probe, run the handler, and turn anything unexpected —
//! an error, even a panic — into one warning line and exit 0.

use std::ffi::OsString;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::probe::{Site, probe};
use super::{HookName, post_commit, post_rewrite, pre_commit, prepare_msg};
use crate::ui::Ui;

/// What a handler decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Let git go on.
    Proceed,
    /// A verification failed on purpose: git must stop (exit 1).
    Block,
}

/// Runs hook `name` with git's arguments and returns the exit code for git.
///
/// Only a deliberate verification failure returns non-zero; an unknown hook name, an
/// error or a panic prints one `git-aos: warning: …` line and returns 0.
pub fn run(name: &str, args: &[OsString], ui: &Ui) -> u8 {
    let Ok(hook) = name.parse::<HookName>() else {
        warn(
            ui,
            &format!("unknown hook `{name}`; ignored (reinstall with `git aos hooks install`)"),
        );
        return 0;
    };
    let Some(site) = probe(hook) else {
        return 0;
    };
    // The default panic message spans lines and names source files; one warning is enough.
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| handle(hook, &site, args, ui)));
    match result {
        Ok(Ok(Outcome::Proceed)) => 0,
        Ok(Ok(Outcome::Block)) => 1,
        Ok(Err(err)) => {
            warn(ui, &format!("{hook} hook: {}", one_line(&err)));
            0
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_owned());
            warn(ui, &format!("{hook} hook crashed ({what}); git goes on"));
            0
        }
    }
}

fn handle(hook: HookName, site: &Site, args: &[OsString], ui: &Ui) -> anyhow::Result<Outcome> {
    match hook {
        HookName::PreCommit => pre_commit::run(site, ui),
        HookName::PrepareCommitMsg => prepare_msg::run(site, args).map(|()| Outcome::Proceed),
        HookName::PostCommit => post_commit::run(site).map(|()| Outcome::Proceed),
        HookName::PostRewrite => post_rewrite::run(site, args, ui).map(|()| Outcome::Proceed),
    }
}

/// Prints the one line a hook is allowed when something unexpected happens.
pub(super) fn warn(ui: &Ui, msg: &str) {
    ui.diagnostic(format_args!(
        "git-aos: {} {msg}",
        ui.paint("warning:", "33")
    ));
}

/// Returns an error chain on one line, each distinct cause once.
fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_chain_fits_on_one_line() {
        let err = anyhow::anyhow!("does not parse\nat line 3").context("state file `tasks.toml`");
        assert_eq!(
            super::one_line(&err),
            "state file `tasks.toml`: does not parse at line 3"
        );
    }
}
