//! Durations (`20m`, `1h 30m`) and byte sizes (`256KiB`, `1 MB`, `262144`) as `aos.toml`
//! writes them.

use std::time::Duration;

/// Parses a positive duration in jiff's friendly (`20m`, `1h 30m`, `90s`) or ISO 8601
/// (`PT20M`) format; the error is the reason, for the caller to put after the key.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let parsed: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration"))?;
    if parsed.is_negative() || parsed.is_zero() {
        return Err(format!("`{text}` is not a positive duration"));
    }
    Ok(parsed.unsigned_abs())
}

/// Units a size may carry, lowercased. `K`/`M`/`G` are binary (as in `ulimit`), `KB`/`MB`/`GB`
/// decimal, `KiB`/`MiB`/`GiB` binary.
const SIZE_UNITS: &[(&str, u64)] = &[
    ("", 1),
    ("b", 1),
    ("k", 1 << 10),
    ("kib", 1 << 10),
    ("kb", 1_000),
    ("m", 1 << 20),
    ("mib", 1 << 20),
    ("mb", 1_000_000),
    ("g", 1 << 30),
    ("gib", 1 << 30),
    ("gb", 1_000_000_000),
];

/// Parses a byte size such as `256KiB`, `1 MB`, `512k` or `4096`; the error is the reason.
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("`{text}` is not a size");
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = unit.trim().to_ascii_lowercase();
    let (_, factor) = SIZE_UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .ok_or_else(bad)?;
    number
        .checked_mul(*factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_friendly_and_iso_forms() {
        assert_eq!(parse_duration("20m"), Ok(Duration::from_secs(20 * 60)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("PT5M"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration(" 2 hours "), Ok(Duration::from_secs(7200)));
    }

    #[test]
    fn durations_reject_garbage_zero_and_negative() {
        assert_eq!(parse_duration("abc"), Err("`abc` is not a duration".into()));
        assert_eq!(parse_duration("5"), Err("`5` is not a duration".into()));
        assert_eq!(
            parse_duration("0s"),
            Err("`0s` is not a positive duration".into())
        );
        assert_eq!(
            parse_duration("-5m"),
            Err("`-5m` is not a positive duration".into())
        );
    }

    #[test]
    fn sizes_accept_units_in_any_case() {
        assert_eq!(parse_size("256KiB"), Ok(262_144));
        assert_eq!(parse_size("256 kib"), Ok(262_144));
        assert_eq!(parse_size("1MB"), Ok(1_000_000));
        assert_eq!(parse_size("2M"), Ok(2 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("10b"), Ok(10));
    }

    #[test]
    fn sizes_reject_garbage_and_overflow() {
        assert_eq!(parse_size("lots"), Err("`lots` is not a size".into()));
        assert_eq!(
            parse_size("12 parsecs"),
            Err("`12 parsecs` is not a size".into())
        );
        assert_eq!(parse_size("-1k"), Err("`-1k` is not a size".into()));
        assert_eq!(
            parse_size("99999999999GiB"),
            Err("`99999999999GiB` is too large".into())
        );
    }
}
