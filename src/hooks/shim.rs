//! The git aos block inside a hook file, as text: find it, put it in, take it out —
//! so that uninstalling gives back the file byte for byte as it was.
//!
//! The block goes right after the shebang line, before whatever the hook already does:
//! appended at the end it would never run after an `exit` or `exec` (the pre-commit
//! framework's hook ends in `exec`, husky's in `exit`). A file the install creates gets
//! `#!/bin/sh` and a note inside the block saying so, by which uninstall knows to delete it.
//!
//! The block's text is in the top-level `hooks/` files. Beyond the call itself it reads
//! `HEAD` with shell builtins, so that on any branch but `aos/*` — and during a rebase,
//! whose `HEAD` is detached — a hook costs one `sh` and no other process; it calls
//! `git-aos` directly (not `git aos`, one process fewer) and only when it is on `PATH`.

use std::ops::Range;

use super::HookName;

/// First line of the block.
pub const BEGIN: &str = "# >>> git-aos >>>";
/// Last line of the block.
pub const END: &str = "# <<< git-aos <<<";
/// The line in the block of a hook file that install created.
const CREATED: &str =
    "# created by `git aos hooks install`; `git aos hooks uninstall` deletes this file";
/// The first line of a hook file that install creates.
const SHEBANG: &str = "#!/bin/sh\n";
/// Interpreters whose scripts can take the block's POSIX shell line.
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh",
];

/// Why a hook file cannot take the block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The file has a begin marker without an end marker after it.
    #[error("it has a `{BEGIN}` line without a `{END}` line after it")]
    Unterminated,
    /// The file is a script for another interpreter.
    #[error("it is a `{0}` script, not a shell script")]
    NotShell(String),
}

/// The block as found in a hook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Bytes of the file the block occupies (with the newline install added before it,
    /// if it had to add one).
    pub range: Range<usize>,
    /// Whether install created the file.
    pub created: bool,
    /// Whether the block is the one this version installs.
    pub current: bool,
    /// Whether the file does anything besides the block.
    pub chained: bool,
}

/// Returns the block in `text`, if it has one.
pub fn find(text: &str, hook: HookName) -> Result<Option<Block>, Error> {
    let Some(start) = line_start(text, BEGIN, 0) else {
        return Ok(None);
    };
    let end_line = line_start(text, END, start).ok_or(Error::Unterminated)?;
    let mut end = end_line + END.len();
    let mut range_start = start;
    if text[end..].starts_with('\n') {
        end += 1;
    } else if start > 0 {
        // A block at the very end without a final newline follows the newline install
        // added to a one-line file: that newline is part of the block.
        range_start = start - 1;
    }
    let inner = &text[start..end];
    let created = inner.lines().any(|l| l == CREATED);
    let body: String = inner
        .lines()
        .filter(|l| *l != CREATED)
        .map(|l| format!("{l}\n"))
        .collect();
    let rest = format!("{}{}", &text[..range_start], &text[end..]);
    let skip = usize::from(rest.starts_with("#!"));
    let chained = rest.lines().skip(skip).any(|l| !l.trim().is_empty());
    Ok(Some(Block {
        range: range_start..end,
        created,
        current: body == hook.shim(),
        chained,
    }))
}

/// Returns the hook file with the current block in it: a new file when `text` is `None`,
/// the block refreshed in place when there is one, else inserted after the shebang line.
pub fn install(text: Option<&str>, hook: HookName) -> Result<String, Error> {
    let Some(text) = text else {
        return Ok(format!("{SHEBANG}{}", block_text(hook, true)));
    };
    if let Some(block) = find(text, hook)? {
        let mut fresh = block_text(hook, block.created);
        if !text[block.range.clone()].ends_with('\n') {
            fresh = format!("\n{}", fresh.trim_end_matches('\n'));
        }
        return Ok(format!(
            "{}{fresh}{}",
            &text[..block.range.start],
            &text[block.range.end..]
        ));
    }
    if let Some(program) = interpreter(text)
        && !SHELLS.contains(&program)
    {
        return Err(Error::NotShell(program.to_owned()));
    }
    let block = block_text(hook, false);
    if !text.starts_with("#!") {
        return Ok(format!("{block}{text}"));
    }
    Ok(match text.find('\n') {
        Some(eol) => format!("{}{block}{}", &text[..=eol], &text[eol + 1..]),
        None => format!("{text}\n{}", block.trim_end_matches('\n')),
    })
}

/// What uninstall does with a hook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// The file has no block: leave it.
    Nothing,
    /// Install created the file and nothing else was added: delete it.
    Delete,
    /// Write this text back: the file as it was before install.
    Restore(String),
}

/// Returns what uninstall does with a hook file holding `text`.
pub fn uninstall(text: &str, hook: HookName) -> Result<Removal, Error> {
    let Some(block) = find(text, hook)? else {
        return Ok(Removal::Nothing);
    };
    let rest = format!("{}{}", &text[..block.range.start], &text[block.range.end..]);
    Ok(if block.created && rest == SHEBANG {
        Removal::Delete
    } else {
        Removal::Restore(rest)
    })
}

/// Returns the program a script's shebang names (`env`'s argument for `#!/usr/bin/env`),
/// or `None` without a shebang (git then runs the file with `sh`).
pub fn interpreter(text: &str) -> Option<&str> {
    let line = text.lines().next()?.strip_prefix("#!")?;
    let mut words = line.split_whitespace();
    let program = words.next()?.rsplit('/').next()?;
    if program != "env" {
        return Some(program);
    }
    words.find(|w| !w.starts_with('-') && !w.contains('='))
}

/// Returns the block for `hook`, with the created note when install makes the file.
fn block_text(hook: HookName, created: bool) -> String {
    let shim = hook.shim();
    if !created {
        return shim.to_owned();
    }
    let (first, rest) = shim.split_once('\n').unwrap_or((shim, ""));
    format!("{first}\n{CREATED}\n{rest}")
}

/// Returns the byte offset of the first line from `from` on that is exactly `line`.
fn line_start(text: &str, line: &str, from: usize) -> Option<usize> {
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        if offset >= from && l.trim_end_matches('\n') == line {
            return Some(offset);
        }
        offset += l.len();
    }
    None
}

#[cfg(test)]
mod tests;
