//! `git aos debug`: hidden tools for tests and benchmarks that exercise the store and the
//! locks the way concurrent pipelines do, without agents.

use std::io::Read;

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::lock;
use crate::store::{Actor, Event, WsStatus};
use crate::ui::Ui;

/// Exercise the store and the locks directly (for tests and benchmarks)
#[derive(clap::Args, Debug)]
pub struct DebugArgs {
    #[command(subcommand)]
    command: DebugCommand,
}

#[derive(clap::Subcommand, Debug)]
enum DebugCommand {
    /// Hold a workstream's lock until stdin closes (prints `locked` once held)
    Lock { name: WorkstreamName },
    /// Set a workstream's status directly (tests use it to stage a `complete` workstream)
    SetStatus {
        name: WorkstreamName,
        /// One of active, running, awaiting_review, blocked, awaiting_uat, complete, failed
        status: String,
    },
    /// Record `count` state changes on a workstream, each incrementing `debug/counter`
    Bump {
        name: WorkstreamName,
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Print in-process write latencies (JSON: median, p90, total)
        #[arg(long)]
        report: bool,
    },
}

/// Runs the debug tool.
pub fn run(ui: &Ui, args: DebugArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match args.command {
        DebugCommand::Lock { name } => {
            ctx.store.find(&name)?;
            let _guard = lock::lock_workstream(ctx.common_dir(), &name)?;
            ui.data("locked");
            let mut sink = Vec::new();
            std::io::stdin().read_to_end(&mut sink)?;
        }
        DebugCommand::SetStatus { name, status } => {
            let status: WsStatus = toml::Value::String(status.clone())
                .try_into()
                .map_err(|_| anyhow::anyhow!("unknown status `{status}`"))?;
            let event = Event::new("debug", format!("status -> {status}")).by(Actor::Person);
            ctx.store.update(&name, &event, |tx| {
                tx.ws_mut().status = status;
                Ok(())
            })?;
        }
        DebugCommand::Bump {
            name,
            count,
            report,
        } => {
            let event = Event::new("debug", "bump counter").by(Actor::Tool);
            let mut micros = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let start = std::time::Instant::now();
                ctx.store.update(&name, &event, |tx| {
                    let n: u64 = match tx.read("debug/counter")? {
                        Some(bytes) => String::from_utf8(bytes)?.trim().parse()?,
                        None => 0,
                    };
                    tx.put("debug/counter", format!("{}\n", n + 1));
                    Ok(())
                })?;
                micros.push(start.elapsed().as_micros() as u64);
            }
            if report {
                micros.sort_unstable();
                let at = |q: f64| {
                    micros
                        .get(((micros.len() as f64 - 1.0) * q).round() as usize)
                        .copied()
                        .unwrap_or(0)
                };
                ui.json(&serde_json::json!({
                    "count": count,
                    "median_us": at(0.5),
                    "p90_us": at(0.9),
                    "total_ms": micros.iter().sum::<u64>() / 1000,
                }))?;
            }
        }
    }
    Ok(())
}
