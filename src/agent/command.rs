//! The `command` adapter: any program, from an argv template with `{prompt_file}`,
//! `{worktree}`, `{task}` and `{result_file}` substituted.

use super::Error;
use super::invocation::{Invocation, OutputKind, Request};
use super::spec::AgentSpec;

/// Fills in the substituted template plus the spec's extra args; the prompt goes on
/// stdin too, for programs that read it there.
pub(crate) fn build(spec: &AgentSpec, req: &Request, inv: &mut Invocation) -> Result<(), Error> {
    let task = req.task.as_ref().map(|t| t.as_str()).unwrap_or("");
    let prompt_file = inv.prompt_file.display().to_string();
    let worktree = inv.cwd.display().to_string();
    let result_file = inv.result_file.display().to_string();
    let substitute = |arg: &String| {
        arg.replace("{prompt_file}", &prompt_file)
            .replace("{worktree}", &worktree)
            .replace("{task}", task)
            .replace("{result_file}", &result_file)
    };
    let mut argv = spec.command.iter().map(substitute);
    let program = argv
        .next()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| Error::Spec {
            agent: spec.name.clone(),
            reason: "the `command` adapter needs a non-empty `command`".into(),
        })?;
    inv.program = program;
    inv.args = argv.chain(spec.args.iter().cloned()).collect();
    inv.stdin = Some(req.prompt.clone());
    inv.output_kind = OutputKind::Plain;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::agent::{Adapter, AgentSpec, Error, Request, Role, build};

    #[test]
    fn substitutes_every_placeholder_inside_arguments() {
        let mut spec = AgentSpec::new("mine", Adapter::Command);
        spec.command = [
            "my-agent",
            "--prompt-file={prompt_file}",
            "{worktree}",
            "{task}",
            "{result_file}",
        ]
        .map(String::from)
        .to_vec();
        spec.args = vec!["--fast".into()];
        let mut req = Request::new(Role::Implement, "p", "/wt", "/run");
        req.task = Some("T7".parse().unwrap());
        let inv = build(&spec, &req).unwrap();
        assert_eq!(inv.program, "my-agent");
        assert_eq!(
            inv.args,
            [
                "--prompt-file=/run/prompt.md",
                "/wt",
                "T7",
                "/run/result.json",
                "--fast"
            ]
        );
    }

    #[test]
    fn an_empty_command_is_a_spec_error() {
        let spec = AgentSpec::new("mine", Adapter::Command);
        let err = build(&spec, &Request::new(Role::Implement, "p", "/wt", "/run")).unwrap_err();
        assert!(matches!(err, Error::Spec { .. }), "{err}");
    }
}
