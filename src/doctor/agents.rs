//! Agents: each configured agent's program on its `PATH`, its version, and the flags its
//! adapter passes still listed in its `--help` (the CLI contract).

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use super::{Finding, Level};
use crate::agent::probe::{self, Contract};
use crate::agent::{Adapter, AgentSpec, Role, RunOutput};
use crate::config::{AgentConfig, Config};

/// Longest a CLI may take to print its version or help.
const ASK_TIMEOUT: Duration = Duration::from_secs(20);

/// Checks every configured agent. Problems of an agent that a role uses are errors (a
/// run would fail); those of an agent no role uses are warnings.
pub(super) async fn check(config: &Config, common_dir: &Path) -> Vec<Finding> {
    let scratch = common_dir
        .join("aos")
        .join("tmp")
        .join(format!("doctor-{}", std::process::id()));
    let mut findings = Vec::new();
    for agent in config.agents.values() {
        let roles: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|r| config.role_agents(*r).contains(&agent.name.as_str()))
            .map(Role::as_str)
            .collect();
        findings.extend(check_agent(agent, &roles, &scratch).await);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    findings
}

async fn check_agent(agent: &AgentConfig, roles: &[&str], scratch: &Path) -> Vec<Finding> {
    let spec = agent.spec();
    let name = &agent.name;
    let level = if roles.is_empty() {
        Level::Warning
    } else {
        Level::Error
    };
    let used_by = if roles.is_empty() {
        "no role uses it".to_owned()
    } else {
        format!("roles: {}", roles.join(", "))
    };
    let problem = |message: String, hint: String| {
        Finding::new("agent", name, level, format!("{message} ({used_by})")).hint(hint)
    };
    let contract = match probe::contract(&spec) {
        Ok(c) => c,
        Err(e) => {
            return vec![problem(
                e.to_string(),
                format!("fix `[agents.{name}]` in `aos.toml`"),
            )];
        }
    };
    let path = spec.env.get("PATH").map(OsStr::new);
    let Some(found) = probe::find_program(&contract.program, path) else {
        return vec![problem(
            format!("`{}` is not on PATH", contract.program),
            install_hint(&spec, &contract.program),
        )];
    };
    let mut findings = Vec::new();
    let mut broken = false;
    let mut summary = format!("`{}`", found.display());
    if !contract.version_args.is_empty() {
        match ask(&spec, &contract, &contract.version_args, scratch).await {
            Ok(out) => {
                if let Some(line) = first_line(&out.stdout) {
                    summary.push(' ');
                    summary.extend(line.chars().take(80));
                }
            }
            Err(why) => findings.push(
                Finding::new(
                    "agent",
                    name,
                    Level::Warning,
                    format!("`{}`: {why}", shown(&contract, &contract.version_args)),
                )
                .hint("check that the program is the agent CLI aos expects"),
            ),
        }
    }
    if !contract.help_args.is_empty() {
        let asked = shown(&contract, &contract.help_args);
        match ask(&spec, &contract, &contract.help_args, scratch).await {
            Ok(out) => {
                let help = format!("{}\n{}", out.stdout, out.stderr);
                let missing = contract.missing_in(&help);
                if missing.is_empty() {
                    summary.push_str(&format!(
                        "; `{asked}` lists all {} flags the adapter passes",
                        contract.flags.len()
                    ));
                } else {
                    let list: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
                    broken = true;
                    findings.push(problem(
                        format!(
                            "`{asked}` does not list {}, which the `{}` adapter passes",
                            list.join(", "),
                            spec.adapter
                        ),
                        format!(
                            "a renamed or removed flag fails every run: install a version of `{}` \
                             that has it ({}), or give the role to another agent",
                            contract.program,
                            crate::agent::versions::tested_text()
                        ),
                    ));
                }
            }
            Err(why) => findings.push(
                Finding::new(
                    "agent",
                    name,
                    Level::Warning,
                    format!("`{asked}`: {why}; its flags were not checked"),
                )
                .hint("run it yourself to see what is wrong"),
            ),
        }
    }
    if !broken {
        if spec.adapter == Adapter::Shell {
            summary = format!("built-in; runs `Run` blocks with {summary}");
        }
        findings.insert(
            0,
            Finding::ok("agent", name, format!("{summary} ({used_by})")),
        );
    }
    findings
}

/// Runs the program with `args`; anything but exit 0 is a reason.
async fn ask(
    spec: &AgentSpec,
    contract: &Contract,
    args: &[String],
    scratch: &Path,
) -> Result<RunOutput, String> {
    let out = probe::ask(spec, &contract.program, args, scratch, ASK_TIMEOUT)
        .await
        .map_err(|e| e.to_string())?;
    match out.exit_code {
        Some(0) => Ok(out),
        _ if out.timed_out => Err(format!("no answer within {}s", ASK_TIMEOUT.as_secs())),
        Some(code) => Err(match first_line(&out.stderr) {
            Some(line) => format!("exited with code {code}: {line}"),
            None => format!("exited with code {code}"),
        }),
        None => Err("was killed by a signal".into()),
    }
}

fn shown(contract: &Contract, args: &[String]) -> String {
    let mut all = vec![contract.program.as_str()];
    all.extend(args.iter().map(String::as_str));
    all.join(" ")
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

fn install_hint(spec: &AgentSpec, program: &str) -> String {
    let name = &spec.name;
    match spec.adapter {
        Adapter::Claude if spec.command.is_empty() => format!(
            "install Claude Code (`npm install -g @anthropic-ai/claude-code`), or set \
             `command` in `[agents.{name}]` to where it is"
        ),
        Adapter::Codex if spec.command.is_empty() => format!(
            "install the Codex CLI (`npm install -g @openai/codex`), or set `command` in \
             `[agents.{name}]` to where it is"
        ),
        Adapter::Shell => {
            format!("install `{program}`; the built-in agent runs `Run` blocks with it")
        }
        _ => format!("install `{program}`, or fix `command` in `[agents.{name}]`"),
    }
}
