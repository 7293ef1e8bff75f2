//! Local overrides from git config (`aos.<section>.<key>`, `aos.<section>.<name>.<key>`),
//! applied onto the parsed `aos.toml` before it is checked, so they meet the same checks.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::error::Error;
use super::file;
use super::source::{Source, dotted};

/// Applies each override in order onto `root`; later entries win.
///
/// Keys arrive in full, `aos.` prefix included, as `git config --get-regexp '^aos\.'`
/// prints them. Git lowercases the last part of a key and allows no `_` in it, so
/// `maxattempts`, `max-attempts` and `max_attempts` all name `max_attempts`; table names
/// in the middle (`aos.agents.Claude.timeout`) keep their case.
pub(super) fn apply<'i>(
    root: &mut DeTable<'i>,
    overrides: &'i [(String, String)],
    source: &mut Source<'i>,
) -> Result<(), Error> {
    for (key, value) in overrides {
        let index = source.add_override(key);
        let path = key_path(key).ok_or_else(|| Error::Invalid {
            origin: source.override_origin(index),
            message: "does not name a key of `aos.toml`".to_owned(),
            hint: Some("write `aos.<section>.<key>` or `aos.<section>.<name>.<key>`, e.g. `aos.project.test`".into()),
        })?;
        let value = parse_value(value, &mut || source.synthetic_span(index));
        insert(root, &path, value, index, source)?;
    }
    Ok(())
}

/// Splits `aos.a.b.c` into its canonical key path, or `None` when it is not one.
fn key_path(key: &str) -> Option<Vec<Cow<'_, str>>> {
    let parts: Vec<&str> = key.strip_prefix("aos.")?.split('.').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut path: Vec<Cow<'_, str>> = Vec::with_capacity(parts.len());
    for part in parts {
        let table: Vec<&str> = path.iter().map(|p| p.as_ref()).collect();
        let known =
            file::fields(&table).and_then(|fields| fields.iter().find(|f| same_key(f, part)));
        path.push(known.map_or(Cow::Borrowed(part), |f| Cow::Borrowed(*f)));
    }
    Some(path)
}

/// Returns whether git config's spelling `written` names the field `field`.
fn same_key(field: &str, written: &str) -> bool {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .collect::<String>()
            .to_ascii_lowercase()
    };
    field == written || squash(field) == squash(written)
}

/// Reads a git config value: a TOML integer, boolean or array literal becomes that, a
/// quoted TOML string its content, anything else the text as it is.
fn parse_value<'i>(
    text: &'i str,
    span: &mut dyn FnMut() -> std::ops::Range<usize>,
) -> Spanned<DeValue<'i>> {
    let value = match DeValue::parse(text).map(Spanned::into_inner) {
        Ok(
            v
            @ (DeValue::Integer(_) | DeValue::Boolean(_) | DeValue::Array(_) | DeValue::String(_)),
        ) => v,
        _ => DeValue::String(Cow::Borrowed(text)),
    };
    respan(value, span)
}

/// Gives a parsed value and everything in it spans that point at the override.
fn respan<'i>(
    value: DeValue<'i>,
    span: &mut dyn FnMut() -> std::ops::Range<usize>,
) -> Spanned<DeValue<'i>> {
    let value = match value {
        DeValue::Array(items) => {
            let mut out = DeArray::new();
            for item in items.iter() {
                out.push(respan(item.get_ref().clone(), span));
            }
            DeValue::Array(out)
        }
        other => other,
    };
    Spanned::new(span(), value)
}

/// Sets `path` in `root` to `value`, creating tables on the way.
fn insert<'i>(
    root: &mut DeTable<'i>,
    path: &[Cow<'i, str>],
    value: Spanned<DeValue<'i>>,
    index: usize,
    source: &mut Source<'i>,
) -> Result<(), Error> {
    let Some((last, tables)) = path.split_last() else {
        return Ok(());
    };
    let mut table = root;
    for (depth, name) in tables.iter().enumerate() {
        let key = Spanned::new(source.synthetic_span(index), name.clone());
        let empty = Spanned::new(
            source.synthetic_span(index),
            DeValue::Table(DeTable::default()),
        );
        let slot = table.entry(key).or_insert(empty);
        match slot.get_mut() {
            DeValue::Table(inner) => table = inner,
            _ => {
                return Err(Error::Invalid {
                    origin: source.override_origin(index),
                    message: format!("`{}` in `aos.toml` is not a table", dotted(&path[..=depth])),
                    hint: None,
                });
            }
        }
    }
    // Replacing the key too makes an error about the key point at the override.
    table.remove(last.as_ref());
    table.insert(
        Spanned::new(source.synthetic_span(index), last.clone()),
        value,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(key: &str) -> Option<Vec<String>> {
        key_path(key).map(|p| p.into_iter().map(Cow::into_owned).collect())
    }

    #[test]
    fn key_paths_follow_git_spelling_to_the_field() {
        assert_eq!(
            path("aos.project.test"),
            Some(vec!["project".into(), "test".into()])
        );
        assert_eq!(
            path("aos.profiles.default.maxattempts"),
            Some(vec![
                "profiles".into(),
                "default".into(),
                "max_attempts".into()
            ])
        );
        assert_eq!(
            path("aos.agents.Claude.idle-timeout"),
            Some(vec![
                "agents".into(),
                "Claude".into(),
                "idle_timeout".into()
            ])
        );
        assert_eq!(
            path("aos.project.tset"),
            Some(vec!["project".into(), "tset".into()])
        );
        assert_eq!(path("aos.current"), None);
        assert_eq!(path("core.editor"), None);
        assert_eq!(path("aos.project..test"), None);
    }

    #[test]
    fn values_are_integers_booleans_arrays_or_text() {
        let mut n = 0;
        let mut span = || {
            n += 1;
            n..n + 1
        };
        assert!(matches!(
            parse_value("5", &mut span).get_ref(),
            DeValue::Integer(_)
        ));
        assert!(matches!(
            parse_value("true", &mut span).get_ref(),
            DeValue::Boolean(true)
        ));
        assert!(
            matches!(parse_value("[\"a\", \"b\"]", &mut span).get_ref(), DeValue::Array(a) if a.len() == 2)
        );
        assert_eq!(
            parse_value("make check", &mut span).get_ref().as_str(),
            Some("make check")
        );
        assert_eq!(
            parse_value("\"quoted\"", &mut span).get_ref().as_str(),
            Some("quoted")
        );
        assert_eq!(
            parse_value("1.5", &mut span).get_ref().as_str(),
            Some("1.5")
        );
        assert_eq!(
            parse_value("2024-01-01", &mut span).get_ref().as_str(),
            Some("2024-01-01")
        );
    }
}
