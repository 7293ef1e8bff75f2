//! The demo's scripted reviewer (`git aos demo-reviewer`, run by the `command` adapter):
//! every staged tool under `bin/` must start with a `# usage:` comment line; it asks for
//! that once, and approves when it is there.

use std::path::Path;

use crate::git;

/// Reviews the staged change in `worktree` and writes the verdict JSON to `result`.
pub fn review(worktree: &Path, result: &Path) -> anyhow::Result<()> {
    let files = git::change::staged_files_here(worktree)?;
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("bin/"))
        .filter(|f| {
            !std::fs::read_to_string(worktree.join(f))
                .is_ok_and(|t| t.lines().any(|l| l.starts_with("# usage:")))
        })
        .collect();
    let verdict = if missing.is_empty() {
        serde_json::json!({"verdict": "approve", "summary": "every tool documents its usage; tests pass", "comments": []})
    } else {
        let comments: Vec<_> = missing
            .iter()
            .map(|f| serde_json::json!({"severity": "medium", "path": f, "line": 1, "message": "add a `# usage:` comment line under the shebang"}))
            .collect();
        serde_json::json!({"verdict": "request_changes", "summary": "tools must document their usage", "comments": comments})
    };
    std::fs::write(result, serde_json::to_string_pretty(&verdict)?)?;
    Ok(())
}
