//! `[merge] resolvers`: merge programs (`mergiraf`, say) tried on each file whose change
//! conflicts with what landed, before the conflict goes back to the task's agent. A
//! resolver is called as a program, never linked, with `{base}`, `{left}` (the file as
//! it landed), `{right}` (as the task changed it), `{out}` and `{path}` filled in; without
//! `{out}` its stdout is the merged file. One not on `PATH` is skipped.
//!
//! A resolver's file counts only when it exited 0, holds no conflict marker and keeps
//! every line the landed side added (no line of a landed task is ever lost); the merged
//! tree must then still pass the task's checks before it lands.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::stage::TaskCtx;
use super::{Pipeline, agents};

/// Longest one resolver may run on one file.
const RESOLVER_TIMEOUT: Duration = Duration::from_secs(120);

/// Resolves every file of `conflicts` in the merge of the change `base → theirs` onto
/// `ours`; returns the merged tree, or `None` when some file found no resolver.
pub(super) async fn resolve(
    p: &Pipeline,
    t: &TaskCtx,
    base: &str,
    ours: &str,
    theirs: &str,
    conflicts: &[String],
) -> anyhow::Result<Option<String>> {
    let available: Vec<&Vec<String>> = p
        .cfg
        .merge
        .resolvers
        .iter()
        .filter(|argv| crate::agent::probe::find_program(&argv[0], None).is_some())
        .collect();
    if available.is_empty() {
        return Ok(None);
    }
    let mut resolved: Vec<(String, Vec<u8>)> = Vec::new();
    let mut by = BTreeSet::new();
    for (i, path) in conflicts.iter().enumerate() {
        let (Some(left), Some(right)) =
            (p.store.file_in(ours, path)?, p.store.file_in(theirs, path)?)
        else {
            // Deleted on one side: no file merge can say what the person meant.
            return Ok(None);
        };
        let ancestor = p.store.file_in(base, path)?.unwrap_or_default();
        let mut done = None;
        for (j, argv) in available.iter().enumerate() {
            let sides = Sides {
                path,
                base: &ancestor,
                left: &left,
                right: &right,
            };
            let dir = p.scratch(
                &t.name,
                &t.run.id,
                &format!("resolve-{}-{i}-{j}", t.run.attempt),
            );
            if let Some(merged) = run_one(p, argv, &sides, &dir).await? {
                by.insert(argv[0].clone());
                done = Some(merged);
                break;
            }
        }
        match done {
            Some(merged) => resolved.push((path.clone(), merged)),
            None => return Ok(None),
        }
    }
    let (tree, _) = p.store.merge_trees_marked(base, ours, theirs)?;
    let tree = p.store.tree_with_files(&tree, &resolved)?;
    p.ui.progress(
        t.name.as_str(),
        format_args!(
            "{} conflicts in {} resolved by {}",
            t.task.id,
            conflicts.join(", "),
            by.into_iter().collect::<Vec<_>>().join(", ")
        ),
    );
    Ok(Some(tree))
}

/// The three sides of one conflicting file.
struct Sides<'a> {
    path: &'a str,
    base: &'a [u8],
    left: &'a [u8],
    right: &'a [u8],
}

/// Runs one resolver on one file in `dir`; returns the merged file when it is usable.
async fn run_one(
    p: &Pipeline,
    argv: &[String],
    sides: &Sides<'_>,
    dir: &Path,
) -> anyhow::Result<Option<Vec<u8>>> {
    // The file keeps its name (resolvers pick a language by the extension).
    let file = Path::new(sides.path)
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let place = |side: &str| dir.join(side).join(&file);
    for (side, bytes) in [
        ("base", sides.base),
        ("left", sides.left),
        ("right", sides.right),
    ] {
        std::fs::create_dir_all(dir.join(side))?;
        std::fs::write(place(side), bytes)?;
    }
    std::fs::create_dir_all(dir.join("out"))?;
    let out = place("out");
    let fill = |arg: &String| {
        arg.replace("{base}", &place("base").display().to_string())
            .replace("{left}", &place("left").display().to_string())
            .replace("{right}", &place("right").display().to_string())
            .replace("{out}", &out.display().to_string())
            .replace("{path}", sides.path)
    };
    let mut command: Vec<String> = argv.iter().map(fill).collect();
    if !argv.iter().any(|a| a.contains("{out}")) {
        // Its stdout is the merge: straight into the file, never through a capture.
        let mut wrapped = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            "out=$1; shift; exec \"$@\" > \"$out\"".to_owned(),
            "resolver".to_owned(),
            out.display().to_string(),
        ];
        wrapped.append(&mut command);
        command = wrapped;
    }
    let ran = agents::run_argv(p, command, dir, &dir.join("run"), RESOLVER_TIMEOUT).await?;
    if ran.exit_code != Some(0) {
        return Ok(None);
    }
    let Ok(merged) = std::fs::read(&out) else {
        return Ok(None);
    };
    if super::quality::has_conflict_markers(&merged) || !keeps_lines(sides, &merged) {
        return Ok(None);
    }
    Ok(Some(merged))
}

/// Returns whether `merged` keeps every line the landed side added to the base.
fn keeps_lines(sides: &Sides<'_>, merged: &[u8]) -> bool {
    let lines = |b: &[u8]| -> BTreeSet<String> {
        String::from_utf8_lossy(b)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let base = lines(sides.base);
    let kept = lines(merged);
    lines(sides.left)
        .iter()
        .filter(|l| !base.contains(*l))
        .all(|l| kept.contains(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_that_drops_a_landed_line_does_not_count() {
        let sides = Sides {
            path: "a.txt",
            base: b"one\n",
            left: b"one\nlanded\n",
            right: b"one\nmine\n",
        };
        assert!(keeps_lines(&sides, b"one\nlanded\nmine\n"));
        assert!(!keeps_lines(&sides, b"one\nmine\n"));
    }
}
