//! `[profiles.<name>]`: pipeline profiles, their `extends` chains, and the built-in
//! `default` profile every chain ends on.

use std::collections::BTreeMap;
use std::fmt;

use toml::Spanned;

use super::error::{Error, code_list};
use super::file::{RawProfile, Text};
use super::source::{Source, dotted};

/// Name of the profile used when none is given.
pub const DEFAULT_PROFILE: &str = "default";

/// A stage of the pipeline (DESIGN §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// An agent writes the task's tests first.
    Tests,
    /// The new tests must fail before implementation.
    Red,
    /// An agent implements the task.
    Implement,
    /// aos runs the project test and the acceptance commands.
    Test,
    /// A reviewer agent reads the diff.
    Review,
    /// aos re-checks the whole attempt.
    Qa,
    /// A person approves, rejects or resets.
    Human,
    /// aos commits the task.
    Commit,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 8] = [
        Stage::Tests,
        Stage::Red,
        Stage::Implement,
        Stage::Test,
        Stage::Review,
        Stage::Qa,
        Stage::Human,
        Stage::Commit,
    ];

    /// Returns the name `aos.toml` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Tests => "tests",
            Stage::Red => "red",
            Stage::Implement => "implement",
            Stage::Test => "test",
            Stage::Review => "review",
            Stage::Qa => "qa",
            Stage::Human => "human",
            Stage::Commit => "commit",
        }
    }

    /// Returns the stage called `name`, if there is one.
    pub fn parse(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much the pipeline may do without a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Autonomy {
    /// A person confirms every step.
    Supervised,
    /// A person decides at the human gate.
    Gatekeeper,
    /// No human gate.
    Autonomous,
}

impl Autonomy {
    /// Every level.
    pub const ALL: [Autonomy; 3] = [
        Autonomy::Supervised,
        Autonomy::Gatekeeper,
        Autonomy::Autonomous,
    ];

    /// Returns the name `aos.toml` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Autonomy::Supervised => "supervised",
            Autonomy::Gatekeeper => "gatekeeper",
            Autonomy::Autonomous => "autonomous",
        }
    }
}

/// A profile with its `extends` chain applied and every field set.
///
/// A field left unset takes the value of the profile it `extends`, and at the end of the
/// chain (or with no `extends`) the built-in default. The built-in `default` profile
/// exists unless `aos.toml` redefines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedProfile {
    /// The profile's name.
    pub name: String,
    /// Stages each task goes through, in order.
    pub stages: Vec<Stage>,
    /// Attempts per task before it fails.
    pub max_attempts: u32,
    /// Tasks or workstreams the scheduler runs at once.
    pub max_parallel: u32,
    /// How much runs without a person.
    pub autonomy: Autonomy,
    /// Whether a reviewer reads the whole workstream after its last task.
    pub final_review: bool,
    /// Whether retries after a failed test or `request_changes` go to the next agent of
    /// the `implement` role too (not only after an agent error).
    pub alternate: bool,
    /// What a failed task does to the rest of the plan.
    pub on_failure: OnFailure,
    /// The longest one `run` may drive a workstream, if bounded.
    pub max_duration: Option<std::time::Duration>,
    /// Whether time tasks wait at a gate during a run counts towards `max_duration`.
    pub count_gate_time: bool,
    /// Tasks of one workstream that run at once, each in its own task worktree (1: one
    /// at a time in the workstream's worktree).
    pub parallel_tasks: u32,
}

/// What a task that failed after its retries does to the rest of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// Only its dependents wait; every other task goes on.
    Defer,
    /// The run starts no other task.
    Halt,
}

impl OnFailure {
    /// Every policy.
    pub const ALL: [OnFailure; 2] = [OnFailure::Defer, OnFailure::Halt];

    /// Returns the name `aos.toml` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            OnFailure::Defer => "defer",
            OnFailure::Halt => "halt",
        }
    }
}

impl ResolvedProfile {
    /// Returns the built-in profile: implement, test, review, qa, human, commit; three
    /// attempts; three at once (workstreams and tasks); gatekeeper; no final review;
    /// retries alternate only after agent errors; a failed task defers its dependents;
    /// no time limit.
    pub fn builtin(name: &str) -> Self {
        use Stage::*;
        Self {
            name: name.to_owned(),
            stages: vec![Implement, Test, Review, Qa, Human, Commit],
            max_attempts: 3,
            max_parallel: 3,
            autonomy: Autonomy::Gatekeeper,
            final_review: false,
            alternate: false,
            on_failure: OnFailure::Defer,
            max_duration: None,
            count_gate_time: true,
            parallel_tasks: 3,
        }
    }
}

/// One profile table, checked but not yet merged with what it extends.
struct Layer {
    extends: Option<Text>,
    stages: Option<Vec<Stage>>,
    max_attempts: Option<u32>,
    max_parallel: Option<u32>,
    autonomy: Option<Autonomy>,
    final_review: Option<bool>,
    alternate: Option<bool>,
    on_failure: Option<OnFailure>,
    max_duration: Option<std::time::Duration>,
    count_gate_time: Option<bool>,
    parallel_tasks: Option<u32>,
}

/// Checks every profile and resolves its `extends` chain.
pub(super) fn resolve_all(
    raw: BTreeMap<Text, Spanned<RawProfile>>,
    source: &Source<'_>,
) -> Result<BTreeMap<String, ResolvedProfile>, Error> {
    let mut layers = BTreeMap::new();
    for (name, table) in raw {
        let layer = check_layer(name.get_ref(), table.into_inner(), source)?;
        layers.insert(name.into_inner(), layer);
    }
    let mut known: Vec<&str> = layers.keys().map(String::as_str).collect();
    if !known.contains(&DEFAULT_PROFILE) {
        known.push(DEFAULT_PROFILE);
        known.sort_unstable();
    }
    let mut resolved = BTreeMap::new();
    for name in &known {
        resolved.insert(
            (*name).to_owned(),
            resolve_one(name, &layers, &known, source)?,
        );
    }
    Ok(resolved)
}

/// Follows `name`'s chain and merges it, child first.
fn resolve_one(
    name: &str,
    layers: &BTreeMap<String, Layer>,
    known: &[&str],
    source: &Source<'_>,
) -> Result<ResolvedProfile, Error> {
    let mut chain: Vec<(&str, &Layer)> = Vec::new();
    let mut next = Some(name);
    while let Some(current) = next {
        let Some(layer) = layers.get(current) else {
            break;
        }; // the built-in default
        chain.push((current, layer));
        next = match &layer.extends {
            None => None,
            Some(parent) if chain.iter().any(|(n, _)| n == parent.get_ref()) => {
                let mut names: Vec<&str> = chain.iter().map(|(n, _)| *n).collect();
                names.push(parent.get_ref());
                let origin = chain[0]
                    .1
                    .extends
                    .as_ref()
                    .map_or(parent.span(), Text::span);
                let message = format!(
                    "`profiles.{name}.extends` makes a cycle: {}",
                    code_list(&names).replace(", ", " -> ")
                );
                return Err(source.invalid(&origin, message, None));
            }
            Some(parent) if known.contains(&parent.get_ref().as_str()) => {
                Some(parent.get_ref().as_str())
            }
            Some(parent) => {
                let message = format!(
                    "`profiles.{current}.extends` names profile `{}`, which is not defined in `[profiles]`",
                    parent.get_ref()
                );
                return Err(source.invalid(
                    &parent.span(),
                    message,
                    Some(format!("defined profiles: {}", code_list(known))),
                ));
            }
        };
    }
    let mut out = ResolvedProfile::builtin(name);
    for (_, layer) in chain.iter().rev() {
        out.stages = layer.stages.clone().unwrap_or(out.stages);
        out.max_attempts = layer.max_attempts.unwrap_or(out.max_attempts);
        out.max_parallel = layer.max_parallel.unwrap_or(out.max_parallel);
        out.autonomy = layer.autonomy.unwrap_or(out.autonomy);
        out.final_review = layer.final_review.unwrap_or(out.final_review);
        out.alternate = layer.alternate.unwrap_or(out.alternate);
        out.on_failure = layer.on_failure.unwrap_or(out.on_failure);
        out.max_duration = layer.max_duration.or(out.max_duration);
        out.count_gate_time = layer.count_gate_time.unwrap_or(out.count_gate_time);
        out.parallel_tasks = layer.parallel_tasks.unwrap_or(out.parallel_tasks);
    }
    Ok(out)
}

/// Checks the values of one profile table.
fn check_layer(name: &str, raw: RawProfile, source: &Source<'_>) -> Result<Layer, Error> {
    let key = |field: &str| dotted(&["profiles", name, field]);
    let stages = match raw.stages {
        None => None,
        Some(written) => {
            let mut stages = Vec::with_capacity(written.len());
            for text in written {
                let stage = Stage::parse(text.get_ref()).ok_or_else(|| {
                    let message =
                        format!("`{}` has unknown stage `{}`", key("stages"), text.get_ref());
                    let hint = format!("stages: {}", code_list(&Stage::ALL.map(Stage::as_str)));
                    source.invalid(&text.span(), message, Some(hint))
                })?;
                if stages.contains(&stage) {
                    let message = format!("`{}` lists stage `{stage}` twice", key("stages"));
                    return Err(source.invalid(&text.span(), message, None));
                }
                stages.push(stage);
            }
            Some(stages)
        }
    };
    let at_least_one = |value: Option<Spanned<u32>>, field: &str| match value {
        Some(n) if *n.get_ref() == 0 => Err(source.invalid(
            &n.span(),
            format!("`{}` must be at least 1", key(field)),
            None,
        )),
        other => Ok(other.map(Spanned::into_inner)),
    };
    let autonomy = match raw.autonomy {
        None => None,
        Some(text) => Some(
            Autonomy::ALL
                .into_iter()
                .find(|a| a.as_str() == text.get_ref())
                .ok_or_else(|| {
                    let message = format!(
                        "`{}` is `{}`, which is not an autonomy level",
                        key("autonomy"),
                        text.get_ref()
                    );
                    let hint = format!(
                        "levels: {}",
                        code_list(&Autonomy::ALL.map(Autonomy::as_str))
                    );
                    source.invalid(&text.span(), message, Some(hint))
                })?,
        ),
    };
    let on_failure = match raw.on_failure {
        None => None,
        Some(text) => Some(
            OnFailure::ALL
                .into_iter()
                .find(|a| a.as_str() == text.get_ref())
                .ok_or_else(|| {
                    let message = format!(
                        "`{}` is `{}`, which is not a failure policy",
                        key("on_failure"),
                        text.get_ref()
                    );
                    let hint = format!(
                        "policies: {}",
                        code_list(&OnFailure::ALL.map(OnFailure::as_str))
                    );
                    source.invalid(&text.span(), message, Some(hint))
                })?,
        ),
    };
    let max_duration = match raw.max_duration {
        None => None,
        Some(text) => Some(super::units::parse_duration(text.get_ref()).map_err(|why| {
            source.invalid(
                &text.span(),
                format!("`{}`: {why}", key("max_duration")),
                Some("write a duration like `2h`, `90m` or `1h 30m`".into()),
            )
        })?),
    };
    Ok(Layer {
        extends: raw.extends,
        stages,
        max_attempts: at_least_one(raw.max_attempts, "max_attempts")?,
        max_parallel: at_least_one(raw.max_parallel, "max_parallel")?,
        autonomy,
        final_review: raw.final_review,
        alternate: raw.alternate,
        on_failure,
        max_duration,
        count_gate_time: raw.count_gate_time,
        parallel_tasks: at_least_one(raw.parallel_tasks, "parallel_tasks")?,
    })
}
