//! The commented `aos.toml` that `git aos init` writes from the interview's answers.

use std::fmt::Write;

use super::source::dotted;
use crate::agent::Adapter;

/// What `git aos init` learned, by asking or from flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitAnswers {
    /// Branch new workstreams start from.
    pub base: String,
    /// The project's test command, if there is one.
    pub test: Option<String>,
    /// Agents to define, by name and adapter.
    pub agents: Vec<(String, Adapter)>,
    /// Agents for the implement role, primary first; empty leaves the role unset.
    pub implement: Vec<String>,
    /// Agent for the review role, if one was chosen.
    pub review: Option<String>,
}

const HEADER: &str = "\
# aos.toml: how `git aos` runs agents on this repository. Commit it.
# Local overrides go in git config, e.g. `git config aos.project.test \"make check\"`.
";

const PROFILES: &str = r#"
[profiles.default]
# Stages, in order: tests, red, implement, test, review, qa, human, commit.
stages = ["implement", "test", "review", "qa", "human", "commit"]
max_attempts = 3
max_parallel = 3
# supervised | gatekeeper | autonomous
autonomy = "gatekeeper"

# Failing tests first: `git aos new <name> --profile tdd`.
[profiles.tdd]
extends = "default"
stages = ["tests", "red", "implement", "test", "review", "qa", "human", "commit"]

[notify]
# A desktop notification when one can be shown.
desktop = true
# Run with AOS_EVENT, AOS_WORKSTREAM and AOS_MESSAGE set.
# command = "notify-send \"$AOS_WORKSTREAM\" \"$AOS_MESSAGE\""

[secrets]
# Values of these variables, and of everything in the env files, never reach git.
env = []
env_files = [".env"]
"#;

/// Returns the text of a commented `aos.toml` for `answers`. It loads as written when
/// every agent named in `implement` and `review` is among `agents`.
pub fn render_initial(answers: &InitAnswers) -> String {
    let mut out = String::from(HEADER);
    // Writing to a String cannot fail; the results are ignored rather than unwrapped.
    let _ = write_project(&mut out, answers);
    let _ = write_agents(&mut out, answers);
    let _ = write_roles(&mut out, answers);
    out.push_str(PROFILES);
    out
}

fn write_project(out: &mut String, answers: &InitAnswers) -> std::fmt::Result {
    writeln!(out, "\n[project]")?;
    writeln!(out, "# The branch new workstreams start from.")?;
    writeln!(out, "base = {}", quote(&answers.base))?;
    writeln!(
        out,
        "# Run by aos itself in the TEST stage and before a merge."
    )?;
    match &answers.test {
        Some(test) => writeln!(out, "test = {}", quote(test))?,
        None => writeln!(out, "# test = \"make test\"")?,
    }
    writeln!(out, "# Run once in each new worktree.")?;
    writeln!(out, "# setup = [\"cp .env.example .env\"]")?;
    writeln!(
        out,
        "# Where worktrees go; {{repo}} is this directory's name."
    )?;
    writeln!(out, "# worktrees = \"../{{repo}}.aos\"")?;
    writeln!(out, "# Most output kept per stage log.")?;
    writeln!(out, "# log_cap = \"256KiB\"")
}

fn write_agents(out: &mut String, answers: &InitAnswers) -> std::fmt::Result {
    for (name, adapter) in &answers.agents {
        writeln!(out, "\n[{}]", dotted(&["agents", name.as_str()]))?;
        writeln!(out, "# claude | codex | command | shell")?;
        writeln!(out, "adapter = {}", quote(adapter.as_str()))?;
        if *adapter == Adapter::Command {
            writeln!(
                out,
                "# The program to run; {{prompt_file}}, {{worktree}} and {{task}} are filled in."
            )?;
            writeln!(
                out,
                "command = [{}, \"--prompt-file\", \"{{prompt_file}}\"]",
                quote(name)
            )?;
        }
        if *adapter != Adapter::Shell {
            writeln!(
                out,
                "# Longest one run may take, and longest it may stay silent."
            )?;
            writeln!(out, "# timeout = \"20m\"")?;
            writeln!(out, "# idle_timeout = \"5m\"")?;
        }
    }
    Ok(())
}

fn write_roles(out: &mut String, answers: &InitAnswers) -> std::fmt::Result {
    writeln!(out, "\n[roles]")?;
    writeln!(out, "# Primary first; the fallbacks take over on retries.")?;
    match answers.implement.as_slice() {
        [] => writeln!(out, "# implement = [\"codex\", \"claude\"]")?,
        names => {
            let list: Vec<String> = names.iter().map(|n| quote(n)).collect();
            writeln!(out, "implement = [{}]", list.join(", "))?;
        }
    }
    writeln!(out, "# Unset roles use the implement agents.")?;
    match &answers.review {
        Some(review) => writeln!(out, "review = {}", quote(review))?,
        None => writeln!(out, "# review = \"claude\"")?,
    }
    writeln!(out, "# plan = \"claude\"")?;
    writeln!(out, "# tests = \"claude\"")
}

/// Returns `text` as a TOML string literal.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
