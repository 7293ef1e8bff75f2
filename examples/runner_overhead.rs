//! Measures what the agent runner adds around a process that exits at once: N runs of
//! `true` through `git_aos::agent::invoke` (command adapter: build, prompt file, process
//! group, stream readers, live log, group kill, normalize) against N bare
//! `tokio::process::Command` spawns of the same program; and N more runs confined to a
//! linked worktree of a scratch repository (Landlock ruleset, private temp dir, admin
//! dir lookup and guard) against the unconfined ones. Prints medians and differences.
//! Usage: `runner_overhead [N]` (default 200).

use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use git_aos::agent::{
    Adapter, AgentSpec, Availability, Confinement, Redactor, Request, Role, RunLimits, SandboxMode,
    invoke, sandbox,
};

#[tokio::main]
async fn main() -> ExitCode {
    match measure().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn measure() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let mut spec = AgentSpec::new("true", Adapter::Command);
    spec.command = vec!["true".into()];
    let request = Request::new(
        Role::Implement,
        "exit at once",
        dir.path(),
        dir.path().join("run"),
    );
    let limits = RunLimits {
        live_log: Some(dir.path().join("live.log")),
        ..RunLimits::default()
    };
    let redactor = Redactor::new(["not-a-real-secret"]);
    let (confined_spec, confined_request) = confined(&spec, dir.path())?;
    let can_confine = matches!(sandbox::availability(), Availability::Available { .. });

    // Warm up every path (page cache, first-use allocations, the signal driver).
    for _ in 0..10 {
        invoke(&spec, &request, &limits, &redactor).await?;
        invoke(&confined_spec, &confined_request, &limits, &redactor).await?;
        bare().await?;
    }
    let mut runner = Vec::with_capacity(n);
    let mut direct = Vec::with_capacity(n);
    let mut landlocked = Vec::with_capacity(n);
    // CPU time (this process and its reaped children) of each path: unlike wall time
    // it does not grow when other processes compete for the cores.
    let (mut cpu_runner, mut cpu_confined) = (Duration::ZERO, Duration::ZERO);
    // Interleaved, so load from other processes hits all alike.
    for _ in 0..n {
        let t = Instant::now();
        let c0 = cpu_time();
        let ex = invoke(&spec, &request, &limits, &redactor).await?;
        cpu_runner += cpu_time().saturating_sub(c0);
        runner.push(t.elapsed());
        anyhow::ensure!(
            ex.output.and_then(|o| o.exit_code) == Some(0),
            "`true` failed in the runner"
        );
        let t = Instant::now();
        let c0 = cpu_time();
        let ex = invoke(&confined_spec, &confined_request, &limits, &redactor).await?;
        cpu_confined += cpu_time().saturating_sub(c0);
        landlocked.push(t.elapsed());
        let out = ex
            .output
            .ok_or_else(|| anyhow::anyhow!("the confined run did not start"))?;
        anyhow::ensure!(out.exit_code == Some(0), "`true` failed confined");
        anyhow::ensure!(
            out.sandbox.confinement == Confinement::Worktree || !can_confine,
            "the run was not confined: {:?}",
            out.sandbox.confinement
        );
        let t = Instant::now();
        bare().await?;
        direct.push(t.elapsed());
    }
    let (r, d) = (median(&mut runner), median(&mut direct));
    let c = median(&mut landlocked);
    let overhead = r.saturating_sub(d);
    print_line(&format!("iterations        {n}"));
    print_line(&format!(
        "runner  median    {:>8.3} ms  (p90 {:.3} ms)",
        ms(r),
        ms(p90(&runner))
    ));
    print_line(&format!(
        "direct  median    {:>8.3} ms  (p90 {:.3} ms)",
        ms(d),
        ms(p90(&direct))
    ));
    print_line(&format!(
        "overhead median   {:>8.3} ms  (target < 10 ms)",
        ms(overhead)
    ));
    print_line(&format!(
        "confined median   {:>8.3} ms  (p90 {:.3} ms){}",
        ms(c),
        ms(p90(&landlocked)),
        if can_confine {
            ""
        } else {
            "  [no Landlock here: unconfined]"
        }
    ));
    print_line(&format!(
        "confinement adds  {:>8.3} ms  (target < 2 ms; ratio {:.2}x the unconfined runner)",
        ms(c) - ms(r),
        c.as_secs_f64() / r.as_secs_f64()
    ));
    let per_run = |d: Duration| ms(d) / n as f64;
    print_line(&format!(
        "cpu per run       {:>8.3} ms unconfined, {:.3} ms confined (+{:.3} ms, {:.2}x)",
        per_run(cpu_runner),
        per_run(cpu_confined),
        per_run(cpu_confined) - per_run(cpu_runner),
        cpu_confined.as_secs_f64() / cpu_runner.as_secs_f64()
    ));
    Ok(())
}

/// Returns the user and system time of this process and its reaped children.
fn cpu_time() -> Duration {
    let usage = |who| {
        // SAFETY: `getrusage` fills the zeroed struct it is given; nothing else is touched.
        let mut u: nix::libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { nix::libc::getrusage(who, &mut u) };
        let tv = |t: nix::libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        tv(u.ru_utime) + tv(u.ru_stime)
    };
    usage(nix::libc::RUSAGE_SELF) + usage(nix::libc::RUSAGE_CHILDREN)
}

/// Returns the same agent confined to a linked worktree of a scratch repository.
fn confined(spec: &AgentSpec, dir: &std::path::Path) -> anyhow::Result<(AgentSpec, Request)> {
    let repo = dir.join("repo");
    let worktree = dir.join("wt");
    let git = |args: &[&str]| -> anyhow::Result<()> {
        let ok = std::process::Command::new("git")
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .status()?
            .success();
        anyhow::ensure!(ok, "git {args:?} failed");
        Ok(())
    };
    let r = repo.to_str().unwrap_or_default();
    git(&["init", "-q", r])?;
    git(&[
        "-C",
        r,
        "-c",
        "user.name=b",
        "-c",
        "user.email=b@b",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "b",
    ])?;
    git(&[
        "-C",
        r,
        "worktree",
        "add",
        "-q",
        "--detach",
        worktree.to_str().unwrap_or_default(),
    ])?;
    let mut spec = spec.clone();
    spec.sandbox.mode = SandboxMode::Worktree;
    spec.sandbox.git_common_dir = Some(repo.join(".git"));
    let request = Request::new(
        Role::Implement,
        "exit at once",
        &worktree,
        dir.join("run-c"),
    );
    Ok((spec, request))
}

/// Spawns `true` with piped output, as the runner does, and waits for it.
async fn bare() -> anyhow::Result<()> {
    let out = tokio::process::Command::new("true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await?;
    anyhow::ensure!(out.status.success(), "`true` failed");
    Ok(())
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Returns the 90th percentile of a sorted slice.
fn p90(sorted: &[Duration]) -> Duration {
    sorted[(sorted.len() * 9 / 10).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// An example is not the crate: its report goes to stdout directly.
fn print_line(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}
