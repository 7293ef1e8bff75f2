//! `sandbox` and `sandbox_allow`: whether an agent runs confined to its worktree, and
//! the extra paths it may write (`[project]` for every agent, `[agents.<name>]` for one).

use toml::Spanned;

use super::error::{Error, code_list};
use super::file::{Names, Text};
use super::source::Source;
use crate::agent::SandboxMode;

/// Default of `[agents.<name>] sandbox`: confined wherever the kernel can do it.
pub const DEFAULT_SANDBOX: SandboxMode = SandboxMode::Worktree;

/// Checks a `sandbox` value; `None` means the default.
pub(super) fn resolve_mode(
    text: Option<&Text>,
    key: &str,
    source: &Source<'_>,
) -> Result<SandboxMode, Error> {
    let Some(text) = text else {
        return Ok(DEFAULT_SANDBOX);
    };
    SandboxMode::parse(text.get_ref()).ok_or_else(|| {
        let message = format!(
            "`{key}` is `{}`, which is not a sandbox mode",
            text.get_ref()
        );
        let hint = format!(
            "write one of {}",
            code_list(&SandboxMode::ALL.map(SandboxMode::as_str))
        );
        source.invalid(&text.span(), message, Some(hint))
    })
}

/// Checks a `sandbox_allow` list: every entry an absolute path or one under `~/`.
pub(super) fn resolve_allow(
    names: Option<Spanned<Names>>,
    key: &str,
    source: &Source<'_>,
) -> Result<Vec<String>, Error> {
    let Some(names) = names else {
        return Ok(Vec::new());
    };
    let whole = names.span();
    let names = names.into_inner();
    for (span, entry) in names.spanned(&whole) {
        if let Err(why) = check_entry(entry) {
            let hint = "write an absolute path (`/srv/cache`) or one under your home (`~/.m2`)";
            return Err(source.invalid(&span, format!("`{key}`: {why}"), Some(hint.into())));
        }
    }
    Ok(names.into_strings())
}

/// Returns why a `sandbox_allow` entry is unusable, if it is.
fn check_entry(entry: &str) -> Result<(), String> {
    if entry.trim().is_empty() {
        return Err("an entry is empty".into());
    }
    if entry == "~" || entry.starts_with("~/") || entry.starts_with('/') {
        return Ok(());
    }
    if entry.starts_with('~') {
        return Err(format!(
            "`{entry}` names another user's home; only `~/` is expanded"
        ));
    }
    Err(format!(
        "`{entry}` is relative; agents already write their own worktree, so an extra path \
         must be absolute"
    ))
}

#[cfg(test)]
mod tests {
    use super::check_entry;

    #[test]
    fn entries_are_absolute_or_under_home() {
        for ok in ["/srv/cache", "~/.m2", "~"] {
            assert!(check_entry(ok).is_ok(), "{ok}");
        }
        for bad in ["", " ", "target", "./x", "~bob/x"] {
            assert!(check_entry(bad).is_err(), "{bad:?}");
        }
    }
}
