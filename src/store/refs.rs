//! Every ref git-aos owns. Nothing outside this file spells a ref name.

use crate::ids::{RemoteName, WorkstreamName};

/// Where live workstream state chains live.
pub const LIVE_PREFIX: &str = "refs/aos/ws/";
/// Where archived state chains live.
pub const ARCHIVE_PREFIX: &str = "refs/aos/archive/";
/// Everything git aos owns under `refs/`.
pub const AOS_PREFIX: &str = "refs/aos/";
/// Provenance notes on commits the pipeline made.
pub const NOTES: &str = "refs/notes/aos";
/// Where commits an agent made itself are kept, per workstream and run.
pub const RESCUE_PREFIX: &str = "refs/aos/rescue/";
/// Local branches.
pub const HEADS_PREFIX: &str = "refs/heads/";
/// Default prefix of workstream branches under `refs/heads/`.
pub const DEFAULT_BRANCH_PREFIX: &str = "aos/";
/// Where runners' claims on workstreams live (on a shared remote).
pub const CLAIMS_PREFIX: &str = "refs/aos/claims/";
/// Where what was fetched from remotes is kept, one directory per remote.
pub const REMOTES_PREFIX: &str = "refs/aos/remotes/";
/// Where `doctor` pushes its probe ref.
pub const PROBE_PREFIX: &str = "refs/aos/probe/";
/// Workstream branches, in full.
pub const BRANCHES_PREFIX: &str = "refs/heads/aos/";

/// Returns whether a ref under `refs/aos/` holds state chains (live or archived), as
/// opposed to claims, probes or what was fetched from remotes.
pub fn is_state(full: &str) -> bool {
    full.starts_with(LIVE_PREFIX) || full.starts_with(ARCHIVE_PREFIX)
}

/// Returns the claim ref of a workstream.
pub fn claim(name: &WorkstreamName) -> String {
    format!("{CLAIMS_PREFIX}{name}")
}

/// Returns the probe ref `doctor` pushes and deletes (`tag` makes it unique).
pub fn probe(tag: &str) -> String {
    format!("{PROBE_PREFIX}{tag}")
}

/// Returns the probe ref `doctor` pushes and deletes under `refs/notes/`.
pub fn notes_probe(tag: &str) -> String {
    format!("{NOTES}-probe-{tag}")
}

/// Returns the directory of refs fetched from `remote`, with its trailing slash.
pub fn remote_root(remote: &RemoteName) -> String {
    format!("{REMOTES_PREFIX}{remote}/")
}

/// Returns where a ref fetched from `remote` is kept here: `refs/aos/ws/x` ->
/// `refs/aos/remotes/<remote>/ws/x`, `refs/notes/aos` -> `…/notes`, `refs/heads/aos/x`
/// -> `…/heads/aos/x`; `None` for a ref sync does not carry.
pub fn tracking(remote: &RemoteName, full: &str) -> Option<String> {
    let root = remote_root(remote);
    if full == NOTES {
        return Some(format!("{root}notes"));
    }
    if let Some(rest) = full.strip_prefix(AOS_PREFIX)
        && (is_state(full) || full.starts_with(CLAIMS_PREFIX))
    {
        return Some(format!("{root}{rest}"));
    }
    full.strip_prefix("refs/")
        .filter(|_| full.starts_with(BRANCHES_PREFIX))
        .map(|rest| format!("{root}{rest}"))
}

/// Returns the ref on the remote that a tracking ref of `remote` keeps (the inverse of
/// [`tracking`]).
pub fn tracked(remote: &RemoteName, tracking_ref: &str) -> Option<String> {
    let rest = tracking_ref.strip_prefix(&remote_root(remote))?;
    if rest == "notes" {
        return Some(NOTES.to_owned());
    }
    if rest.starts_with("heads/aos/") {
        return Some(format!("refs/{rest}"));
    }
    let full = format!("{AOS_PREFIX}{rest}");
    (is_state(&full) || full.starts_with(CLAIMS_PREFIX)).then_some(full)
}

/// Returns the refspecs that fetch everything sync carries into the tracking refs of
/// `remote`, forced (the remote is the truth for what it holds).
pub fn fetch_refspecs(remote: &RemoteName) -> Vec<String> {
    let root = remote_root(remote);
    vec![
        format!("+{LIVE_PREFIX}*:{root}ws/*"),
        format!("+{ARCHIVE_PREFIX}*:{root}archive/*"),
        format!("+{CLAIMS_PREFIX}*:{root}claims/*"),
        format!("+{BRANCHES_PREFIX}*:{root}heads/aos/*"),
        // A pattern, so a remote without notes yet is no error (an exact ref it lacks is);
        // `tracked` ignores the other notes refs it may bring.
        format!("+{NOTES}*:{root}notes*"),
    ]
}

/// Returns the refspec that fetches one ref into its tracking ref of `remote`.
pub fn fetch_one(remote: &RemoteName, full: &str) -> Option<String> {
    tracking(remote, full).map(|t| format!("+{full}:{t}"))
}

/// Returns the live state ref of a workstream.
pub fn live(name: &WorkstreamName) -> String {
    format!("{LIVE_PREFIX}{name}")
}

/// Returns the archive ref for a workstream archived at `stamp` (`yyyymmddThhmmss`, UTC).
pub fn archive(name: &WorkstreamName, stamp: &str) -> String {
    format!("{ARCHIVE_PREFIX}{name}.{stamp}")
}

/// Returns the rescue ref of one run: the commits its agents made themselves.
pub fn rescue(name: &WorkstreamName, run: &crate::ids::RunId) -> String {
    format!("{RESCUE_PREFIX}{name}/{run}")
}

/// Returns the prefix of every rescue ref of a workstream (ends in `/`).
pub fn rescue_of(name: &WorkstreamName) -> String {
    format!("{RESCUE_PREFIX}{name}/")
}

/// Returns the full ref of a branch given its short name (`aos/x` -> `refs/heads/aos/x`).
pub fn branch(short: &str) -> String {
    format!("refs/heads/{short}")
}

/// Returns the short name of a branch given in full (`refs/heads/aos/x` -> `aos/x`).
pub fn branch_short(full: &str) -> &str {
    full.strip_prefix("refs/heads/").unwrap_or(full)
}

/// Returns the short branch name of a workstream (`aos/<name>`).
pub fn workstream_branch(name: &WorkstreamName) -> String {
    format!("{DEFAULT_BRANCH_PREFIX}{name}")
}

/// Splits an archive ref's last component `<name>.<stamp>` into name and stamp.
///
/// The stamp never contains a dot, so the last dot separates them even when the name has dots.
pub fn split_archive_id(id: &str) -> Option<(&str, &str)> {
    let (name, stamp) = id.rsplit_once('.')?;
    let ok = stamp.len() == 15 && stamp.as_bytes()[8] == b'T';
    ok.then_some((name, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_ids_split_on_the_last_dot() {
        assert_eq!(
            split_archive_id("v1.2.20261120T101010"),
            Some(("v1.2", "20261120T101010"))
        );
        assert_eq!(split_archive_id("a.b"), None);
        let n: WorkstreamName = "a".parse().unwrap();
        assert_eq!(
            archive(&n, "20261120T101010"),
            "refs/aos/archive/a.20261120T101010"
        );
        assert_eq!(live(&n), "refs/aos/ws/a");
    }

    #[test]
    fn tracking_refs_map_both_ways() {
        let r: RemoteName = "origin".parse().unwrap();
        for (full, t) in [
            ("refs/aos/ws/a", "refs/aos/remotes/origin/ws/a"),
            (
                "refs/aos/archive/a.20261120T101010",
                "refs/aos/remotes/origin/archive/a.20261120T101010",
            ),
            ("refs/aos/claims/a", "refs/aos/remotes/origin/claims/a"),
            ("refs/heads/aos/a", "refs/aos/remotes/origin/heads/aos/a"),
            ("refs/notes/aos", "refs/aos/remotes/origin/notes"),
        ] {
            assert_eq!(tracking(&r, full).as_deref(), Some(t));
            assert_eq!(tracked(&r, t).as_deref(), Some(full));
        }
        assert_eq!(tracking(&r, "refs/heads/main"), None);
        assert_eq!(tracking(&r, "refs/aos/remotes/x/ws/a"), None);
        assert!(!is_state("refs/aos/claims/a") && is_state("refs/aos/ws/a"));
    }
}
