//! `git aos init`: write `aos.toml`, set the git config git aos relies on, install the hooks.

use std::io::{BufRead, IsTerminal};

use crate::config::{self, Adapter, InitAnswers};
use crate::ctx::Ctx;
use crate::error::UserError;
use crate::git;
use crate::store::refs;
use crate::ui::Ui;

/// Set up git aos in this repository: write aos.toml (asking, or from flags), set git config and install the git hooks
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos init                          # asks: base branch, test command, agents\n  git aos init --yes --agent claude --agent codex --test 'cargo test'"
)]
pub struct InitArgs {
    /// Ask nothing: take flags and detected defaults
    #[arg(short, long)]
    yes: bool,
    /// Agent to define (`claude`, `codex` or `shell`); repeat for fallbacks, primary first
    #[arg(long = "agent", value_name = "NAME")]
    agents: Vec<String>,
    /// Agent that reviews (default: the second agent given, if any)
    #[arg(long)]
    reviewer: Option<String>,
    /// The project's test command (default: detected from Cargo.toml, package.json, …)
    #[arg(long)]
    test: Option<String>,
    /// Branch new workstreams start from (default: the current branch)
    #[arg(long)]
    base: Option<String>,
    /// Overwrite an existing aos.toml
    #[arg(long)]
    force: bool,
    /// Leave the git hooks alone (install them later with `git aos hooks install`)
    #[arg(long)]
    no_hooks: bool,
}

/// Writes aos.toml and the git config.
pub fn run(ui: &Ui, args: InitArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let root = ctx.repo_root()?.to_owned();
    let file = root.join(config::FILE_NAME);
    let interactive = !args.yes && std::io::stdin().is_terminal();
    if file.exists() && !args.force {
        ui.status(format_args!(
            "`{}` exists; keeping it (`--force` rewrites it)",
            file.display()
        ));
    } else {
        let answers = answers(ui, &ctx, &args, interactive)?;
        let text = config::render_initial(&answers);
        // Refuse to write what we could not read back.
        config::Config::parse(&text, &[]).map_err(UserError::from)?;
        std::fs::write(&file, text)?;
        ui.status(format_args!("wrote `{}`", file.display()));
    }
    git::config_add_unique(&root, "notes.rewriteRef", refs::NOTES)?;
    git::config_add_unique(
        &root,
        "log.excludeDecoration",
        &format!("{}*", refs::AOS_PREFIX),
    )?;
    ui.status("set `notes.rewriteRef` (notes follow rebases) and `log.excludeDecoration` (logs stay quiet)");
    if !args.no_hooks {
        super::hooks::install(ui, &ctx, None)?;
    }
    ui.status("next: `git aos new <name> --plan plan.md`, then `git aos run <name>`");
    Ok(())
}

fn answers(ui: &Ui, ctx: &Ctx, args: &InitArgs, interactive: bool) -> anyhow::Result<InitAnswers> {
    let root = ctx.repo_root()?;
    let detected_base = ctx
        .store
        .current_branch()?
        .unwrap_or_else(|| "main".to_owned());
    let detected_test = config::detect_test_command(root);
    let mut base = args.base.clone().unwrap_or(detected_base);
    let mut test = args.test.clone().or(detected_test);
    let mut names = args.agents.clone();
    if interactive {
        base = ask(ui, "branch new workstreams start from", Some(&base))?.unwrap_or(base);
        test = ask(ui, "test command (empty for none)", test.as_deref())?;
        if names.is_empty() {
            let found: Vec<&str> = ["claude", "codex"]
                .into_iter()
                .filter(|a| on_path(a))
                .collect();
            let default = if found.is_empty() {
                "shell".to_owned()
            } else {
                found.join(",")
            };
            let given = ask(
                ui,
                "agents, primary first (claude, codex, shell)",
                Some(&default),
            )?
            .unwrap_or(default);
            names = given
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
    }
    if names.is_empty() {
        names.push(config::BUILTIN_AGENT.to_owned());
    }
    let mut agents = Vec::new();
    for name in &names {
        let adapter = match name.as_str() {
            "claude" => Adapter::Claude,
            "codex" => Adapter::Codex,
            "shell" => Adapter::Shell,
            other => {
                return Err(UserError::with_hint(
                    format!("unknown agent `{other}` for `--agent`"),
                    "use `claude`, `codex` or `shell`; define other agents in aos.toml under `[agents.<name>]`",
                )
                .into());
            }
        };
        agents.push((name.clone(), adapter));
    }
    let review = args.reviewer.clone().or_else(|| names.get(1).cloned());
    Ok(InitAnswers {
        base,
        test,
        agents,
        implement: names,
        review,
    })
}

/// Asks one question on the terminal; an empty answer keeps the default.
fn ask(ui: &Ui, question: &str, default: Option<&str>) -> anyhow::Result<Option<String>> {
    let shown = default.map(|d| format!(" [{d}]")).unwrap_or_default();
    ui.prompt(format_args!("{question}{shown}: "));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim();
    Ok(if line.is_empty() {
        default.map(str::to_owned)
    } else {
        Some(line.to_owned())
    })
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}
