//! `config::Error`: what is wrong with `aos.toml` or an `aos.*` git config override, and
//! where; converts into a `UserError` with its hint.

use std::fmt;
use std::path::PathBuf;

use crate::error::UserError;

/// Where a bad value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of the file (1-based), named by its file name.
    File {
        /// File name, e.g. `aos.toml`.
        file: String,
        /// 1-based line number.
        line: usize,
    },
    /// A git config entry, named by its full key (`aos.project.test`).
    GitConfig {
        /// The key as git config reported it.
        key: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { file, line } => write!(f, "{file}:{line}"),
            Origin::GitConfig { key } => write!(f, "git config `{key}`"),
        }
    }
}

/// Errors from loading the configuration or looking a name up in it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file exists but could not be read.
    #[error("could not read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A value in the file or an override is invalid.
    #[error("{origin}: {message}")]
    Invalid {
        /// Where the value was written.
        origin: Origin,
        /// What is wrong, naming the key.
        message: String,
        /// What would be valid, if that can be listed.
        hint: Option<String>,
    },
    /// A name asked for at run time (`--profile`, `--agent`) is not defined.
    #[error("{what} `{name}` is not defined")]
    Unknown {
        /// `"agent"` or `"profile"`.
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The names that are defined.
        known: Vec<String>,
    },
}

impl Error {
    /// Returns what the user could do about the error, if anything specific.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Read { .. } => None,
            Error::Invalid { hint, .. } => hint.clone(),
            Error::Unknown { what, known, .. } => {
                Some(format!("defined {what}s: {}", code_list(known)))
            }
        }
    }
}

impl From<Error> for UserError {
    fn from(err: Error) -> Self {
        let message = match &err {
            Error::Read { source, .. } => format!("{err}: {source}"),
            _ => err.to_string(),
        };
        UserError {
            message,
            hint: err.hint(),
        }
    }
}

/// Returns the items as a comma-separated list of code spans: `` `a`, `b` ``.
pub(super) fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_into_a_user_error_with_its_hint() {
        let err = Error::Unknown {
            what: "profile",
            name: "x".into(),
            known: vec!["default".into()],
        };
        let user = UserError::from(err);
        assert_eq!(user.message, "profile `x` is not defined");
        assert_eq!(user.hint.as_deref(), Some("defined profiles: `default`"));

        let err = Error::Read {
            path: "a/aos.toml".into(),
            source: std::io::Error::other("denied"),
        };
        assert_eq!(
            UserError::from(err).message,
            "could not read `a/aos.toml`: denied"
        );
    }
}
