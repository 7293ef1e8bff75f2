//! `git aos doctor`: check what a run depends on, before a run.

use crate::doctor::{self, Finding, Level};
use crate::error::UserError;
use crate::ui::Ui;

/// Check git, aos.toml, every agent's program and the flags aos passes it, hooks, locks
/// and workstream state; exit 1 when something would make a run fail
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos doctor                        # everything a run depends on\n  git aos doctor --json | jq '.[] | select(.level != \"ok\")'"
)]
pub struct DoctorArgs {
    /// Print the findings as JSON (`ok` and a list of `check`, `subject`, `level`, `message`, `hint`)
    #[arg(long)]
    json: bool,
}

/// Runs the checks and prints one line per finding, with a hint under each problem.
pub async fn run(ui: &Ui, args: DoctorArgs) -> anyhow::Result<()> {
    let findings = doctor::check().await;
    let failed = doctor::has_errors(&findings);
    if args.json {
        ui.json(&serde_json::json!({ "ok": !failed, "findings": findings }))?;
    } else {
        for f in &findings {
            render(ui, f);
        }
    }
    if failed {
        let errors = findings.iter().filter(|f| f.level == Level::Error).count();
        return Err(UserError::with_hint(
            format!("{errors} problem(s) would make a run fail"),
            "fix the errors above, then run `git aos doctor` again",
        )
        .into());
    }
    Ok(())
}

fn render(ui: &Ui, f: &Finding) {
    // Plain labels: this is data on stdout, and `Ui` colours only stderr.
    let label = format!("{:<7}", f.level.as_str());
    let subject = match (f.check, f.subject.as_str()) {
        ("agent", name) => format!("agent `{name}`"),
        ("sandbox", name) if !name.is_empty() => format!("sandbox of `{name}`"),
        ("lock", _) => "lock".to_owned(),
        ("remote", name) => format!("remote `{name}`"),
        (check, _) => check.to_owned(),
    };
    ui.data(format_args!("{label}  {subject}: {}", f.message));
    if let Some(hint) = &f.hint {
        ui.data(format_args!("         hint: {hint}"));
    }
}
