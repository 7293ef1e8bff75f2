//! The built-in `shell` agent: runs the task's `Run` script with
//! `bash -euo pipefail <script file>` in the worktree. No network, no model.

use super::Error;
use super::invocation::{Invocation, OutputKind, Request};
use super::spec::AgentSpec;

/// File name of the script in the scratch directory.
const SCRIPT_FILE: &str = "run.sh";

/// Fills in bash on a script file (not `-c`, so a long script meets no argv limit and
/// the scratch directory keeps what ran); stdin is `/dev/null`.
pub(crate) fn build(spec: &AgentSpec, req: &Request, inv: &mut Invocation) -> Result<(), Error> {
    let script = req.run_script.as_deref().ok_or_else(|| Error::Spec {
        agent: spec.name.clone(),
        reason: "the `shell` agent runs the task's `Run` block, and this task has none".into(),
    })?;
    let path = inv.scratch_dir.join(SCRIPT_FILE);
    inv.program = spec
        .command
        .first()
        .cloned()
        .unwrap_or_else(|| "bash".into());
    inv.args = vec!["-euo".into(), "pipefail".into(), path.display().to_string()];
    inv.args.extend(spec.args.iter().cloned());
    inv.files.push((path, script.to_owned()));
    inv.stdin = None;
    inv.output_kind = OutputKind::Plain;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::agent::{Adapter, AgentSpec, Error, Request, Role, build};

    #[test]
    fn runs_the_script_file_with_strict_bash() {
        let spec = AgentSpec::new("shell", Adapter::Shell);
        let mut req = Request::new(Role::Implement, "p", "/wt", "/run");
        req.run_script = Some("echo hi\n".into());
        let inv = build(&spec, &req).unwrap();
        assert_eq!(inv.program, "bash");
        assert_eq!(inv.args, ["-euo", "pipefail", "/run/run.sh"]);
        assert_eq!(inv.files, [("/run/run.sh".into(), "echo hi\n".to_owned())]);
        assert_eq!(inv.stdin, None);
    }

    #[test]
    fn a_task_without_a_run_block_is_a_spec_error() {
        let spec = AgentSpec::new("shell", Adapter::Shell);
        let err = build(&spec, &Request::new(Role::Implement, "p", "/wt", "/run")).unwrap_err();
        assert!(matches!(err, Error::Spec { .. }));
    }
}
