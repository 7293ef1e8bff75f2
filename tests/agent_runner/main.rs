//! Every fake-agent scenario through the real runner, via the public API: the fakes in
//! `tests/fake-agents` are real programs found on `PATH`, as real agents would be.

#[path = "../agent_support/mod.rs"]
mod agent_support;

mod adapters;
mod outcomes;
mod processes;

use std::time::Duration;

use agent_support::{Fixture, eventually, group_gone};
use git_aos::agent::{
    Adapter, ErrorClass, NextAction, Outcome, Redactor, ResultStatus, Role, RunLimits, Verdict,
    build, invoke, normalize, run,
};

const DONE: &str =
    r#"result {"status":"done","summary":"implemented T1","outputs":{"path":"src/lib.rs"}}"#;
const GROUP_LIMIT: Duration = Duration::from_secs(20);

fn assert_class(o: &Outcome, class: ErrorClass, action: NextAction, retryable: bool) {
    assert_eq!(
        (o.error_class, o.next_action, o.retryable),
        (class, action, retryable),
        "{o:#?}"
    );
}
