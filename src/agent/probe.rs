//! Checking an agent before a run: where its program is, and the contract with its CLI —
//! every flag the adapter passes must still be listed by the CLI's `--help`, so a
//! renamed flag is reported by `git aos doctor`, not by a failed run.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Error;
use super::invocation::{Invocation, OutputKind, Request, binary, build};
use super::redact::Redactor;
use super::runner::{RunLimits, RunOutput, run};
use super::spec::{Adapter, AgentSpec, Role};

/// What to check about one agent's program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// The program, looked up on the agent's `PATH`.
    pub program: String,
    /// Arguments that print its version; empty when it has none worth asking for.
    pub version_args: Vec<String>,
    /// Arguments that print the help listing `flags`; empty when nothing is checked.
    pub help_args: Vec<String>,
    /// Flags (and subcommands) the adapter passes, which the help must list.
    pub flags: Vec<String>,
    /// Fixed values the adapter gives a flag (`--sandbox read-only`), which the help
    /// must list among that flag's choices.
    pub choices: Vec<(String, String)>,
}

/// Flags whose value is one of a fixed set the CLI's help lists.
const CHOICE_FLAGS: &[&str] = &["--output-format", "--permission-mode", "--sandbox"];

/// Returns what to check for an agent: its program, how to ask for its version and
/// help, and every flag its adapter may pass (the spec's own `args` are the user's
/// business and left out; `--model` only when a model is configured).
pub fn contract(spec: &AgentSpec) -> Result<Contract, Error> {
    match spec.adapter {
        Adapter::Claude | Adapter::Codex => {
            let default = spec.adapter.as_str();
            let (program, prefix) = binary(spec, default);
            let (flags, choices) = adapter_flags(spec)?;
            let with = |tail: &[&str]| {
                let mut args = prefix.clone();
                args.extend(tail.iter().map(|s| (*s).to_owned()));
                args
            };
            let help_args = if spec.adapter == Adapter::Codex {
                with(&["exec", "--help"])
            } else {
                with(&["--help"])
            };
            Ok(Contract {
                program,
                version_args: with(&["--version"]),
                help_args,
                flags,
                choices,
            })
        }
        Adapter::Command => {
            let program = spec.command.first().cloned().ok_or_else(|| Error::Spec {
                agent: spec.name.clone(),
                reason: "the `command` adapter needs a non-empty `command`".into(),
            })?;
            Ok(Contract::bare(program))
        }
        Adapter::Shell => Ok(Contract::bare(
            spec.command
                .first()
                .cloned()
                .unwrap_or_else(|| "bash".into()),
        )),
    }
}

impl Contract {
    fn bare(program: String) -> Self {
        Self {
            program,
            version_args: Vec::new(),
            help_args: Vec::new(),
            flags: Vec::new(),
            choices: Vec::new(),
        }
    }

    /// Returns what of the contract `help` does not list: flags, and `flag value` for
    /// a choice it no longer offers.
    pub fn missing_in(&self, help: &str) -> Vec<String> {
        let flags: Vec<String> = self
            .flags
            .iter()
            .filter(|f| !lists(help, f))
            .cloned()
            .collect();
        let choices: Vec<String> = self
            .choices
            .iter()
            .filter(|(flag, value)| !flags.contains(flag) && !lists(help, value))
            .map(|(flag, value)| format!("{flag} {value}"))
            .collect();
        flags.into_iter().chain(choices).collect()
    }
}

/// Returns the flags the adapter passes in any invocation it builds (implement and
/// review, with a session to resume), and the fixed values it gives `CHOICE_FLAGS`.
type Flags = (Vec<String>, Vec<(String, String)>);

fn adapter_flags(spec: &AgentSpec) -> Result<Flags, Error> {
    let mut bare = spec.clone();
    bare.args.clear();
    let (_, prefix) = binary(spec, spec.adapter.as_str());
    let mut flags = BTreeSet::new();
    let mut choices = BTreeSet::new();
    for role in [Role::Implement, Role::Review] {
        let mut req = Request::new(role, "", "/", "/");
        req.resume_session = Some("session".into());
        let inv = build(&bare, &req)?;
        let args = &inv.args[prefix.len().min(inv.args.len())..];
        for (i, arg) in args.iter().enumerate() {
            if arg.len() > 1 && arg.starts_with('-') {
                flags.insert(arg.clone());
                if let Some(value) = args
                    .get(i + 1)
                    .filter(|_| CHOICE_FLAGS.contains(&arg.as_str()))
                {
                    choices.insert((arg.clone(), value.clone()));
                }
            }
        }
    }
    let mut flags: Vec<String> = flags.into_iter().collect();
    if spec.adapter == Adapter::Codex {
        // `codex exec … resume <thread>` continues a thread: a subcommand, not a flag.
        flags.push("resume".into());
    }
    Ok((flags, choices.into_iter().collect()))
}

/// Returns whether `help` lists `flag` as a word of its own (`-p,`, `--json`,
/// `--cd <DIR>`, `[--resume]`, a choice `"plan"`), not as part of a longer one.
fn lists(help: &str, flag: &str) -> bool {
    let before_ok = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || ",[(|/\"'".contains(c));
    let after_ok =
        |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || ",=<[])|.:\"'".contains(c));
    help.match_indices(flag).any(|(at, _)| {
        before_ok(help[..at].chars().next_back())
            && after_ok(help[at + flag.len()..].chars().next())
    })
}

/// Returns the program's path: `program` itself when it names a path, else the first
/// executable file of that name in `path` (or the process's `PATH` when `None`).
pub fn find_program(program: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let env_path = std::env::var_os("PATH");
    let path = path.or(env_path.as_deref())?;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
}

/// Runs `program args` once through the runner, in `scratch` (created if needed), with
/// the spec's environment and a time limit, and returns what it printed. For short
/// questions to a CLI (`--version`, `--help`), never for work.
pub async fn ask(
    spec: &AgentSpec,
    program: &str,
    args: &[String],
    scratch: &Path,
    timeout: Duration,
) -> Result<RunOutput, Error> {
    std::fs::create_dir_all(scratch).map_err(|source| Error::Io {
        path: scratch.to_owned(),
        source,
    })?;
    let inv = Invocation {
        agent: spec.name.clone(),
        adapter: spec.adapter,
        role: Role::Implement,
        program: program.to_owned(),
        args: args.to_vec(),
        env: spec.env.clone(),
        env_remove: Vec::new(),
        cwd: scratch.to_owned(),
        stdin: None,
        prompt: String::new(),
        prompt_file: scratch.join("probe-prompt.md"),
        result_file: scratch.join("probe-result.json"),
        scratch_dir: scratch.to_owned(),
        files: Vec::new(),
        output_kind: OutputKind::Plain,
        previous_totals: None,
        sandbox: spec.sandbox.clone(),
    };
    let limits = RunLimits {
        timeout,
        idle_timeout: Duration::ZERO,
        grace: Duration::from_millis(200),
        ..RunLimits::default()
    };
    run(&inv, &limits, &Redactor::default()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claude_contract_is_every_flag_the_adapter_passes() {
        let mut spec = AgentSpec::new("c", Adapter::Claude);
        spec.args = vec!["--max-turns".into(), "3".into()];
        let c = contract(&spec).unwrap();
        assert_eq!(c.program, "claude");
        assert_eq!(c.help_args, ["--help"]);
        assert_eq!(
            c.flags,
            [
                "--disallowedTools",
                "--output-format",
                "--permission-mode",
                "--resume",
                "--verbose",
                "-p"
            ]
        );
        let choices: Vec<String> = c.choices.iter().map(|(f, v)| format!("{f} {v}")).collect();
        assert_eq!(
            choices,
            [
                "--output-format stream-json",
                "--permission-mode bypassPermissions",
                "--permission-mode plan"
            ]
        );
        spec.model = Some("opus".into());
        assert!(contract(&spec).unwrap().flags.contains(&"--model".into()));
    }

    #[test]
    fn the_codex_contract_reads_the_help_of_exec_behind_a_wrapper() {
        let mut spec = AgentSpec::new("x", Adapter::Codex);
        spec.command = vec!["npx".into(), "codex".into()];
        let c = contract(&spec).unwrap();
        assert_eq!(c.program, "npx");
        assert_eq!(c.help_args, ["codex", "exec", "--help"]);
        assert_eq!(c.version_args, ["codex", "--version"]);
        assert_eq!(
            c.flags,
            [
                "--add-dir",
                "--json",
                "--output-schema",
                "--sandbox",
                "--skip-git-repo-check",
                "-C",
                "resume"
            ]
        );
        assert_eq!(
            c.choices,
            [
                ("--sandbox".to_owned(), "read-only".to_owned()),
                ("--sandbox".to_owned(), "workspace-write".to_owned())
            ]
        );
    }

    #[test]
    fn a_choice_must_be_offered_by_its_flag() {
        let c = contract(&AgentSpec::new("c", Adapter::Claude)).unwrap();
        let help = "  -p, --print\n  --verbose\n  --resume\n  --disallowedTools <tools...>\n  \
                    --output-format <format> (choices: \"text\", \"json\", \"stream-json\")\n  \
                    --permission-mode <mode> (choices: \"acceptEdits\", \"plan\")\n";
        assert_eq!(c.missing_in(help), ["--permission-mode bypassPermissions"]);
    }

    #[test]
    fn flags_are_matched_as_whole_words() {
        let help =
            "  -p, --print   Print\n  --output-format <format>\n  -C, --cd <DIR>\n  [--json]\n";
        for flag in ["-p", "--print", "--output-format", "-C", "--cd", "--json"] {
            assert!(lists(help, flag), "{flag}");
        }
        for flag in ["--output", "-c", "--verbose", "--format", "-d"] {
            assert!(!lists(help, flag), "{flag}");
        }
    }

    #[test]
    fn programs_are_found_on_the_given_path_only_when_executable() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("agent");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        let path = dir.path().as_os_str();
        assert_eq!(find_program("agent", Some(path)), None);
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_program("agent", Some(path)), Some(exe.clone()));
        assert_eq!(find_program(&exe.display().to_string(), None), Some(exe));
        assert_eq!(find_program("surely-not-a-program-xyz", Some(path)), None);
    }
}
