//! Every ref git-aos owns. Nothing outside this file spells a ref name.

use crate::ids::WorkstreamName;

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
}
