//! What the pipeline reads and does with git on a workstream's checkout: the change from
//! a base to a tree (stat, diff, files), the commits of a range, the index after a
//! commit, and discarding a task's changes on `reset`. Every command names the worktree
//! explicitly (`Checkout`).

use std::path::Path;

use super::checkout::Checkout;
use super::read;

/// Returns `git diff --stat` from `from` to `to` (commits or trees).
pub fn stat(co: &Checkout, from: &str, to: &str) -> anyhow::Result<String> {
    co.read(["diff", "--stat", from, to])
}

/// Returns the diff from `from` to `to` (commits or trees), cut to `cap` bytes on a line
/// boundary.
pub fn diff(co: &Checkout, from: &str, to: &str, cap: usize) -> anyhow::Result<String> {
    let text = co.read(["diff", from, to])?;
    Ok(cut(text, cap))
}

/// Returns the diff of one path from `from` to `to`.
pub fn diff_path(co: &Checkout, from: &str, to: &str, path: &str) -> anyhow::Result<String> {
    co.read(["diff", from, to, "--", path])
}

/// Returns `text` cut to at most `cap` bytes at a line end, saying how much is left out.
fn cut(text: String, cap: usize) -> String {
    if text.len() <= cap {
        return text;
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let at = text[..end].rfind('\n').unwrap_or(0);
    format!(
        "{}\n[… diff cut at {cap} bytes of {}]\n",
        &text[..at],
        text.len()
    )
}

/// Sets the index of the checkout to `commit` after it landed on the checked-out branch,
/// keeping the stat data of unchanged files (`git reset --mixed`).
pub fn index_to_head(co: &Checkout) -> anyhow::Result<()> {
    co.run(["reset", "--quiet"]).map(drop)
}

/// Discards every uncommitted change in the checkout, untracked files included.
pub fn discard_changes(co: &Checkout) -> anyhow::Result<()> {
    co.run(["reset", "--quiet", "--hard", "HEAD"])?;
    co.run(["clean", "-fdq"]).map(drop)
}

/// Returns the tree the checkout's index holds (`git write-tree`), files left alone.
pub fn index_tree(co: &Checkout) -> anyhow::Result<String> {
    co.read(["write-tree"])
}

/// Detaches the checkout's HEAD at `commit` and makes its index and tracked files exactly
/// that commit's, whatever they held (`git checkout -f --detach`); untracked and ignored
/// files stay.
pub fn force_detached(co: &Checkout, commit: &str) -> anyhow::Result<()> {
    co.run(["checkout", "--quiet", "-f", "--detach", commit])
        .map(drop)
}

/// Stages one file as it is in the worktree.
pub fn stage(co: &Checkout, path: &str) -> anyhow::Result<()> {
    co.run(["add", "--", path]).map(drop)
}

/// Moves the index and files of the checkout from tree `old` to commit or tree `new`
/// (`git read-tree -m -u`), leaving HEAD alone. git checks before it writes: a file it
/// would change that has local edits, or an untracked file in the way, makes it refuse
/// and change nothing.
pub fn update(co: &Checkout, old: &str, new: &str) -> anyhow::Result<()> {
    co.run(["read-tree", "-m", "-u", old, new]).map(drop)
}

/// The identity a commit is made with.
pub struct Identity<'a> {
    /// Author name.
    pub author_name: &'a str,
    /// Author email.
    pub author_email: &'a str,
}

/// Commits everything in the checkout with `message` (the user's hooks run, git aos's do
/// not); returns the new commit. For repositories git aos makes itself (the demo).
pub fn commit_all(co: &Checkout, message: &str, who: &Identity<'_>) -> anyhow::Result<String> {
    co.run(["add", "-A"])?;
    let out = co.run_with_input_env(
        &["commit", "--quiet", "--file=-"],
        message.as_bytes(),
        &[
            ("GIT_AUTHOR_NAME", who.author_name),
            ("GIT_AUTHOR_EMAIL", who.author_email),
            ("GIT_COMMITTER_NAME", "git-aos"),
            ("GIT_COMMITTER_EMAIL", "aos@localhost"),
        ],
    )?;
    drop(out);
    co.read(["rev-parse", "HEAD"])
}

/// Returns the paths the index of the repository found from `dir` holds staged against
/// HEAD. For programs that run as agents in a worktree (the demo's reviewer), which see
/// the worktree as any git command run there does.
pub fn staged_files_here(dir: &Path) -> anyhow::Result<Vec<String>> {
    let text = read(
        dir,
        ["diff", "--cached", "--name-only", "--no-renames", "HEAD"],
    )?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cut_keeps_whole_lines_and_says_how_much_is_left_out() {
        let text = "line one\nline two\nline three\n".to_owned();
        let cut = super::cut(text.clone(), 12);
        assert!(cut.starts_with("line one\n["), "{cut}");
        assert!(cut.contains(&format!("of {}", text.len())));
        assert_eq!(super::cut(text.clone(), 100), text);
    }
}
