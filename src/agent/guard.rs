//! The interface-drift guard: before an agent starts, every flag its adapter passes must
//! still be listed by its CLI's `--help`, so a CLI that renamed or dropped a flag stops
//! the run at once, named, instead of failing every attempt. The help and version are
//! cached per binary (its path, size and modification time) under
//! `<git-common-dir>/aos/cache/cli-help/`, so a CLI is asked once per install.

use std::hash::{Hash, Hasher};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::outcome::{ErrorClass, Outcome};
use super::probe::{self, Contract};
use super::spec::AgentSpec;
use super::versions;

/// Longest a CLI may take to print its help or version.
const ASK_TIMEOUT: Duration = Duration::from_secs(30);

/// What a CLI said about itself, cached for one binary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    /// The binary, its size and mtime, and the arguments asked: the cache key.
    key: String,
    /// First line of `--version` (empty when it printed none).
    version: String,
    /// What the help arguments printed, stdout then stderr.
    help: String,
}

/// Returns an `env` outcome that stops the run when the agent's CLI no longer lists a
/// flag its adapter passes, or `None` when it does or nothing can be checked (the
/// `command`/`shell` adapters, a program not on `PATH` — the run reports that — or a
/// help that cannot be read, which only `doctor` reports).
pub(crate) async fn check(spec: &AgentSpec, cache_dir: &Path) -> Option<Outcome> {
    let contract = probe::contract(spec).ok()?;
    if contract.help_args.is_empty() {
        return None;
    }
    let path = spec.env.get("PATH").map(std::ffi::OsStr::new);
    let binary = probe::find_program(&contract.program, path)?;
    let entry = match cached(&contract, &binary, cache_dir) {
        Some(entry) => entry,
        None => match ask(spec, &contract, &binary, cache_dir).await {
            Ok(entry) => entry,
            Err(why) => {
                tracing::warn!("the flags of agent `{}` were not checked: {why}", spec.name);
                return None;
            }
        },
    };
    let missing = contract.missing_in(&entry.help);
    if missing.is_empty() {
        return None;
    }
    Some(drift(spec, &contract, &entry, &missing))
}

fn drift(spec: &AgentSpec, contract: &Contract, entry: &Entry, missing: &[String]) -> Outcome {
    let list: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
    let version = if entry.version.is_empty() {
        "version unknown".to_owned()
    } else {
        entry.version.clone()
    };
    let asked = std::iter::once(contract.program.as_str())
        .chain(contract.help_args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    Outcome::failure(
        ErrorClass::Env,
        false,
        format!(
            "the `{program}` CLI changed: `{asked}` ({version}) does not list {flags}, which \
             the `{adapter}` adapter passes; nothing was started. Install a version git aos \
             works with ({tested}), or give the role to another agent; `git aos doctor` \
             checks every agent",
            program = contract.program,
            flags = list.join(", "),
            adapter = spec.adapter,
            tested = versions::tested_text(),
        ),
    )
}

/// Returns the cache file for a binary and the key it must hold.
fn slot(contract: &Contract, binary: &Path, cache_dir: &Path) -> Option<(PathBuf, String)> {
    let resolved = std::fs::canonicalize(binary).ok()?;
    let meta = std::fs::metadata(&resolved).ok()?;
    let key = format!(
        "{}\n{}\n{}.{}\n{}\n{}",
        resolved.display(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        contract.version_args.join(" "),
        contract.help_args.join(" "),
    );
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    Some((
        cache_dir.join(format!("{:016x}.json", hasher.finish())),
        key,
    ))
}

fn cached(contract: &Contract, binary: &Path, cache_dir: &Path) -> Option<Entry> {
    let (file, key) = slot(contract, binary, cache_dir)?;
    let entry: Entry = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    (entry.key == key).then_some(entry)
}

/// Asks the CLI for its version and help, and caches the answer when both worked.
async fn ask(
    spec: &AgentSpec,
    contract: &Contract,
    binary: &Path,
    cache_dir: &Path,
) -> Result<Entry, String> {
    let scratch = cache_dir.join(format!(
        "probe-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let answer = |args: Vec<String>| {
        let scratch = scratch.clone();
        async move {
            let out = probe::ask(spec, &contract.program, &args, &scratch, ASK_TIMEOUT)
                .await
                .map_err(|e| e.to_string())?;
            match out.exit_code {
                Some(0) => Ok(out),
                _ => Err(format!(
                    "`{} {}` did not succeed",
                    contract.program,
                    args.join(" ")
                )),
            }
        }
    };
    let version = answer(contract.version_args.clone()).await;
    let help = answer(contract.help_args.clone()).await;
    let _ = std::fs::remove_dir_all(&scratch);
    let help = help?;
    let entry = Entry {
        key: String::new(),
        version: version
            .ok()
            .and_then(|v| {
                v.stdout
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_default(),
        help: format!("{}\n{}", help.stdout, help.stderr),
    };
    // Keyed after the questions, so a binary replaced meanwhile is asked again.
    if let Some((file, key)) = slot(contract, binary, cache_dir) {
        let entry = Entry {
            key,
            ..entry.clone()
        };
        let written = serde_json::to_vec(&entry)
            .map_err(anyhow::Error::from)
            .and_then(|json| crate::atomic_file::replace(&file, json, None));
        if let Err(e) = written {
            tracing::warn!("could not cache the help of `{}`: {e:#}", contract.program);
        }
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Adapter;
    use std::os::unix::fs::PermissionsExt;

    /// A fake `codex` whose `exec --help` lists `flags`, counting how often it is asked.
    fn fake_codex(dir: &Path, flags: &str) -> AgentSpec {
        let exe = dir.join("codex");
        let script = format!(
            "#!/bin/sh\necho asked >> '{count}'\ncase \"$1\" in\n--version) echo 'codex-cli 9.9.9';;\n\
             exec) printf '%s\\n' 'Commands:' '  resume  Resume' 'Options:' {flags};;\nesac\n",
            count = dir.join("count").display()
        );
        std::fs::write(&exe, script).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut spec = AgentSpec::new("x", Adapter::Codex);
        spec.command = vec![exe.display().to_string()];
        spec
    }

    const ALL: &str = "'  --json' '  -s, --sandbox <MODE> [possible values: read-only, workspace-write]' \
        '  --add-dir <DIR>' '  --skip-git-repo-check' '  -C, --cd <DIR>' '  --output-schema <FILE>'";

    fn asked(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("count"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    #[tokio::test]
    async fn a_cli_that_lists_every_flag_passes_and_is_asked_once() {
        let dir = tempfile::tempdir().unwrap();
        let spec = fake_codex(dir.path(), ALL);
        let cache = dir.path().join("cache");
        assert_eq!(check(&spec, &cache).await, None);
        assert_eq!(asked(dir.path()), 2, "--version and exec --help");
        assert_eq!(check(&spec, &cache).await, None);
        assert_eq!(asked(dir.path()), 2, "the second check reads the cache");
    }

    #[tokio::test]
    async fn a_dropped_flag_stops_the_run_naming_the_flag_and_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let spec = fake_codex(dir.path(), &ALL.replace("'  --add-dir <DIR>' ", ""));
        let o = check(&spec, &dir.path().join("cache")).await.unwrap();
        assert_eq!((o.error_class, o.retryable), (ErrorClass::Env, false));
        let why = &o.reasons[0];
        assert!(why.contains("`--add-dir`"), "{why}");
        assert!(why.contains("codex-cli 9.9.9"), "{why}");
    }

    #[tokio::test]
    async fn a_changed_binary_is_asked_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let spec = fake_codex(dir.path(), ALL);
        assert_eq!(check(&spec, &cache).await, None);
        // A new install: another size, so the cache entry no longer applies.
        fake_codex(dir.path(), &ALL.replace("'  --json' ", "'  --jsonl' "));
        let o = check(&spec, &cache)
            .await
            .expect("the new CLI lacks --json");
        assert!(o.reasons[0].contains("`--json`"), "{:?}", o.reasons);
        assert_eq!(asked(dir.path()), 4);
    }

    #[tokio::test]
    async fn a_choice_the_cli_no_longer_offers_is_drift_too() {
        let dir = tempfile::tempdir().unwrap();
        let spec = fake_codex(dir.path(), &ALL.replace("read-only, ", ""));
        let mut review = spec.clone();
        review.name = "r".into();
        let o = check(&review, &dir.path().join("cache")).await.unwrap();
        assert!(
            o.reasons[0].contains("`--sandbox read-only`"),
            "{:?}",
            o.reasons
        );
    }

    #[tokio::test]
    async fn what_cannot_be_checked_does_not_stop_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = AgentSpec::new("x", Adapter::Codex);
        spec.command = vec![dir.path().join("nowhere").display().to_string()];
        assert_eq!(check(&spec, dir.path()).await, None);
        let shell = AgentSpec::new("s", Adapter::Shell);
        assert_eq!(check(&shell, dir.path()).await, None);
    }
}
