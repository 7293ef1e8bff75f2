//! Ctrl-C during a run stops the agent's whole process group. A test binary of its own,
//! because SIGINT reaches every run in the process.

mod agent_support;

use std::time::Duration;

use agent_support::{Fixture, eventually, group_gone};
use git_aos::agent::{Adapter, Error, Redactor, Role, build, run};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::test]
async fn ctrl_c_kills_the_group_and_reports_an_interruption() {
    // Installing a handler first keeps SIGINT from killing the test process.
    let _sigint = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let f = Fixture::new();
    let pidfile = f.path("pid");
    let spec = f.spec(
        Adapter::Claude,
        &format!(
            "pidfile {}\nspawn-grandchild\nsleep 3600\n",
            pidfile.display()
        ),
    );
    let inv = build(&spec, &f.request(Role::Implement)).unwrap();
    let limits = f.limits();
    let task = tokio::spawn(async move { run(&inv, &limits, &Redactor::default()).await });
    assert!(
        eventually(Duration::from_secs(20), || pidfile.is_file()).await,
        "agent never started"
    );
    let pgid = f.pgid("pid");

    // Repeated until the run notices, in case its listener was not polled yet.
    let stopped = eventually(Duration::from_secs(20), || {
        let _ = kill(Pid::this(), Signal::SIGINT);
        task.is_finished()
    })
    .await;
    assert!(stopped, "the run ignored Ctrl-C");
    let result = task.await.expect("run task");
    assert!(matches!(result, Err(Error::Interrupted)), "{result:?}");
    assert!(
        eventually(Duration::from_secs(20), || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}
