//! Measures what the agent runner adds around a process that exits at once: N runs of
//! `true` through `git_aos::agent::invoke` (command adapter: build, prompt file, process
//! group, stream readers, live log, group kill, normalize) against N bare
//! `tokio::process::Command` spawns of the same program. Prints medians and the
//! difference. Usage: `runner_overhead [N]` (default 200).

use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use git_aos::agent::{Adapter, AgentSpec, Redactor, Request, Role, RunLimits, invoke};

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

    // Warm up both paths (page cache, first-use allocations, the signal driver).
    for _ in 0..10 {
        invoke(&spec, &request, &limits, &redactor).await?;
        bare().await?;
    }
    let mut runner = Vec::with_capacity(n);
    let mut direct = Vec::with_capacity(n);
    // Interleaved, so load from other processes hits both alike.
    for _ in 0..n {
        let t = Instant::now();
        let ex = invoke(&spec, &request, &limits, &redactor).await?;
        runner.push(t.elapsed());
        anyhow::ensure!(
            ex.output.and_then(|o| o.exit_code) == Some(0),
            "`true` failed in the runner"
        );
        let t = Instant::now();
        bare().await?;
        direct.push(t.elapsed());
    }
    let (r, d) = (median(&mut runner), median(&mut direct));
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
    Ok(())
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
