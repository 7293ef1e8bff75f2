//! Limits and kills: timeouts, the watchdog, grandchildren and dropped runs leave no
//! process of the agent's group behind.

use super::*;

#[tokio::test]
async fn a_hung_agent_times_out_within_the_limit() {
    let f = Fixture::new();
    let limits = RunLimits {
        // Long enough for python to start and print on a loaded machine.
        timeout: Duration::from_secs(3),
        ..f.limits()
    };
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "say started\nsleep 3600\n",
            &limits,
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Timeout, NextAction::Retry, true);
    let out = ex.output.unwrap();
    assert!(out.timed_out && !out.idle_killed);
    assert!(
        out.duration >= Duration::from_secs(3) && out.duration < Duration::from_secs(30),
        "{:?}",
        out.duration
    );
    assert!(
        out.stdout.contains("started"),
        "kept output before the kill: {}",
        out.stdout
    );
}

#[tokio::test]
async fn the_watchdog_kills_an_agent_that_falls_silent() {
    let f = Fixture::new();
    let limits = RunLimits {
        idle_timeout: Duration::from_secs(1),
        ..f.limits()
    };
    let ex = f
        .invoke(
            Adapter::Codex,
            Role::Implement,
            "say hello\nsleep 3600\n",
            &limits,
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Timeout, NextAction::Retry, true);
    let out = ex.output.unwrap();
    assert!(out.idle_killed && !out.timed_out);
    assert!(out.duration < Duration::from_secs(30), "{:?}", out.duration);
}

#[tokio::test]
async fn a_timeout_kills_grandchildren_that_ignore_sigterm() {
    let f = Fixture::new();
    let limits = RunLimits {
        // Long enough for the pidfile and the grandchild to exist first.
        timeout: Duration::from_secs(3),
        ..f.limits()
    };
    let pidfile = f.path("pid");
    let scenario = format!(
        "pidfile {}\nspawn-grandchild\nsleep 3600\n",
        pidfile.display()
    );
    let ex = f
        .invoke(Adapter::Claude, Role::Implement, &scenario, &limits)
        .await;
    assert_eq!(ex.outcome.error_class, ErrorClass::Timeout);
    let pgid = f.pgid("pid");
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}

#[tokio::test]
async fn a_grandchild_holding_stdout_does_not_keep_a_finished_run_waiting() {
    let f = Fixture::new();
    let pidfile = f.path("pid");
    let scenario = format!(
        "pidfile {}\nspawn-grandchild\n{DONE}\nemit success done\n",
        pidfile.display()
    );
    let ex = f
        .invoke(Adapter::Codex, Role::Implement, &scenario, &f.limits())
        .await;
    assert!(ex.outcome.is_success(), "{:#?}", ex.outcome);
    assert!(ex.output.unwrap().duration < Duration::from_secs(30));
    let pgid = f.pgid("pid");
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}

#[tokio::test]
async fn dropping_the_run_kills_the_group() {
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
        eventually(GROUP_LIMIT, || pidfile.is_file()).await,
        "agent never started"
    );
    let pgid = f.pgid("pid");
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}
