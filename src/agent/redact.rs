//! Secret redaction: every value named in `[secrets] env` or read from a `.env` file is
//! replaced by `***` in whatever aos keeps or shows of an agent's output.

use std::path::{Path, PathBuf};

use super::Error;

/// Values shorter than this are not treated as secrets: they would match everywhere.
const MIN_SECRET_LEN: usize = 4;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Replaces known secret values in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// Returns a redactor for the given values; values shorter than 4 characters are ignored.
    ///
    /// A multi-line value is also masked line by line, because output is redacted one
    /// line at a time.
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut secrets = Vec::new();
        for value in values {
            let value: String = value.into();
            if value.contains('\n') {
                secrets.extend(value.lines().map(|l| l.trim().to_owned()));
            }
            secrets.push(value);
        }
        secrets.retain(|s| s.chars().count() >= MIN_SECRET_LEN);
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets }
    }

    /// Returns a redactor for the values of the named environment variables that are set,
    /// plus every value in the given `.env`-style files (`KEY=VALUE` lines).
    ///
    /// A file that does not exist is skipped; one that exists but cannot be read is an
    /// error, since skipping it would let its secrets through.
    pub fn from_env<N, P>(names: &[N], dotenv_files: &[P]) -> Result<Self, Error>
    where
        N: AsRef<str>,
        P: AsRef<Path>,
    {
        let mut values: Vec<String> = names
            .iter()
            .filter_map(|n| std::env::var(n.as_ref()).ok())
            .collect();
        for file in dotenv_files {
            let path = file.as_ref();
            match std::fs::read(path) {
                Ok(bytes) => values.extend(dotenv_values(&String::from_utf8_lossy(&bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        path: PathBuf::from(path),
                        source,
                    });
                }
            }
        }
        Ok(Self::new(values))
    }

    /// Returns whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Returns the text with every secret value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

/// Returns the values of a `.env` file: `KEY=VALUE`, optional `export `, quotes removed,
/// blank lines and `#` comments skipped.
fn dotenv_values(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (_, value) = line.split_once('=')?;
            Some(unquote(value.trim()).to_owned())
        })
        .collect()
}

/// Returns the value without one pair of matching surrounding quotes, or without a
/// trailing ` # comment` when it is unquoted.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    match value.find(" #") {
        Some(i) => value[..i].trim_end(),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_occurrence_and_ignores_short_values() {
        let r = Redactor::new(["sk-secret-123", "abc", ""]);
        assert_eq!(
            r.redact("key=sk-secret-123 and again sk-secret-123, abc stays"),
            "key=*** and again ***, abc stays"
        );
    }

    #[test]
    fn longer_secrets_win_over_their_substrings() {
        let r = Redactor::new(["token", "token-extended"]);
        assert_eq!(r.redact("token-extended token"), "*** ***");
    }

    #[test]
    fn multi_line_values_are_masked_line_by_line() {
        let r = Redactor::new(["-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----"]);
        assert_eq!(r.redact("line: AAAABBBBCCCC\n"), "line: ***\n");
    }

    #[test]
    fn dotenv_files_give_values_with_quotes_and_comments_removed() {
        let text =
            "# comment\nexport A=\"quoted value\"\nB='single'\nC=plain # note\nD=ab\n\nnoequals\n";
        assert_eq!(
            dotenv_values(text),
            ["quoted value", "single", "plain", "ab"]
        );
    }

    #[test]
    fn from_env_reads_files_and_skips_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "DB_PASSWORD=hunter2hunter2\nSHORT=x\n").unwrap();
        let missing = dir.path().join("missing.env");
        let r = Redactor::from_env(&["AOS_TEST_SURELY_UNSET_VAR"], &[env, missing]).unwrap();
        assert_eq!(r.redact("pw hunter2hunter2 x"), "pw *** x");
    }

    #[test]
    fn from_env_reads_named_variables() {
        // PATH is set in every test environment and long enough to count.
        let path = std::env::var("PATH").unwrap();
        let r = Redactor::from_env(&["PATH"], &[] as &[&Path]).unwrap();
        assert_eq!(r.redact(&format!("[{path}]")), "[***]");
    }
}
