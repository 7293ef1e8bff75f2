//! `[roles]`: which agent plays which part, primary first then fallbacks.

use std::collections::BTreeMap;

use toml::Spanned;

use super::agents::{AgentConfig, BUILTIN_AGENT};
use super::error::{Error, code_list};
use super::file::{Names, RawRoles};
use super::source::Source;
use crate::agent::Role;

/// `[roles]`: for each role, the agents to use, primary first then fallbacks.
///
/// An unset `implement` is the built-in `shell` agent; an unset `plan` or `tests` is
/// whatever `implement` is. An unset `review` is empty: no reviewer is configured, and
/// the pipeline records the review as skipped rather than let the implementer review
/// its own work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    implement: Vec<String>,
    review: Vec<String>,
    plan: Vec<String>,
    tests: Vec<String>,
}

impl Default for Roles {
    fn default() -> Self {
        let shell = vec![BUILTIN_AGENT.to_owned()];
        Self {
            implement: shell.clone(),
            review: Vec::new(),
            plan: shell.clone(),
            tests: shell,
        }
    }
}

impl Roles {
    /// Returns the agents for `role`, primary first.
    pub fn agents(&self, role: Role) -> &[String] {
        match role {
            Role::Implement => &self.implement,
            Role::Review => &self.review,
            Role::Plan => &self.plan,
            Role::Tests => &self.tests,
        }
    }
}

/// Checks `[roles]` against the defined agents and fills in the fallbacks.
pub(super) fn resolve_roles(
    raw: RawRoles,
    agents: &BTreeMap<String, AgentConfig>,
    source: &Source<'_>,
) -> Result<Roles, Error> {
    let check = |role: &str, names: Option<Spanned<Names>>| -> Result<Option<Vec<String>>, Error> {
        let Some(names) = names else { return Ok(None) };
        let spanned = names.get_ref().spanned(&names.span());
        if spanned.is_empty() {
            return Err(source.invalid(
                &names.span(),
                format!("`roles.{role}` names no agent"),
                None,
            ));
        }
        for (span, name) in spanned {
            if !agents.contains_key(name) {
                let message = format!(
                    "`roles.{role}` names agent `{name}`, which is not defined in `[agents]`"
                );
                let known: Vec<&String> = agents.keys().collect();
                return Err(source.invalid(
                    &span,
                    message,
                    Some(format!("defined agents: {}", code_list(&known))),
                ));
            }
        }
        Ok(Some(names.into_inner().into_strings()))
    };
    let implement =
        check("implement", raw.implement)?.unwrap_or_else(|| vec![BUILTIN_AGENT.to_owned()]);
    Ok(Roles {
        review: check("review", raw.review)?.unwrap_or_default(),
        plan: check("plan", raw.plan)?.unwrap_or_else(|| implement.clone()),
        tests: check("tests", raw.tests)?.unwrap_or_else(|| implement.clone()),
        implement,
    })
}
