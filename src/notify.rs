//! Telling people when they are needed: always a line on stderr, the `[notify] command`
//! with `AOS_EVENT`/`AOS_WORKSTREAM`/`AOS_MESSAGE` set, and a desktop notification
//! (`notify-send`) when a session bus is there to show it.
//!
//! A notification never fails the operation that sent it: problems become warnings.

use std::path::Path;

use crate::config::Notify;
use crate::ids::WorkstreamName;
use crate::ui::Ui;

/// Why a person is told something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A task waits at the human gate.
    AwaitingReview,
    /// An agent asked a question.
    Blocked,
    /// User acceptance is requested.
    AwaitingUat,
    /// A task failed after its retries.
    Failed,
    /// Every task is done.
    Complete,
    /// The workstream landed on its base.
    Merged,
}

impl Kind {
    /// Returns the value of `AOS_EVENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingReview => "awaiting_review",
            Self::Blocked => "blocked",
            Self::AwaitingUat => "awaiting_uat",
            Self::Failed => "failed",
            Self::Complete => "complete",
            Self::Merged => "merged",
        }
    }
}

/// Tells people: `message` should name the reason, `command` what to run next.
pub fn send(
    ui: &Ui,
    cfg: &Notify,
    dir: &Path,
    kind: Kind,
    ws: &WorkstreamName,
    message: &str,
    command: Option<&str>,
) {
    let text = match command {
        Some(cmd) => format!("{message} — run `{cmd}`"),
        None => message.to_owned(),
    };
    ui.status(format_args!(
        "{} [{}] {ws}: {text}",
        ui.paint("notify", "35"),
        kind.as_str()
    ));
    if let Some(cmd) = &cfg.command {
        let env = [
            ("AOS_EVENT", kind.as_str()),
            ("AOS_WORKSTREAM", ws.as_str()),
            ("AOS_MESSAGE", text.as_str()),
        ];
        match crate::process::run_shell_env(cmd, dir, &env) {
            Ok(out) if !out.success => ui.warn(format_args!(
                "notify command `{cmd}` failed (exit {})",
                out.code_text()
            )),
            Err(e) => ui.warn(format_args!("notify command `{cmd}` could not run: {e:#}")),
            Ok(_) => {}
        }
    }
    if cfg.desktop && desktop_available() {
        let title = format!("git aos: {ws} {}", kind.as_str());
        let cmd = format!(
            "notify-send -a git-aos {} {}",
            shell_quote(&title),
            shell_quote(&text)
        );
        if let Err(e) = crate::process::run_shell(&cmd, dir) {
            tracing::debug!("desktop notification failed: {e:#}");
        }
    }
}

/// Returns whether a desktop notification can be shown: a session bus and `notify-send`.
fn desktop_available() -> bool {
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && (std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some());
    has_bus
        && std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("notify-send").is_file()))
}

/// Returns `s` single-quoted for `sh`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_gets_the_event_in_its_environment() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        let cfg = Notify {
            desktop: false,
            command: Some(format!(
                "printf '%s|%s|%s' \"$AOS_EVENT\" \"$AOS_WORKSTREAM\" \"$AOS_MESSAGE\" > {}",
                out.display()
            )),
        };
        let ws: WorkstreamName = "a".parse().unwrap();
        send(
            &Ui::new(true),
            &cfg,
            dir.path(),
            Kind::Failed,
            &ws,
            "T2 failed",
            Some("git aos show a"),
        );
        assert_eq!(
            std::fs::read_to_string(out).unwrap(),
            "failed|a|T2 failed — run `git aos show a`"
        );
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
