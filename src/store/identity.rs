//! Who and when a commit of git aos records: the person's identity and the current time,
//! both found without jiff's time zone database.
//!
//! gix resolves an identity with its date (`Repository::author`) and the local time
//! (`Time::now_local_or_utc`) through jiff's system time zone by name, and jiff's first
//! lookup by name lists the whole zoneinfo directory: that was a sixth of what a hook's
//! state write cost (`scripts/bench-hooks`). A hook runs on every commit, so both are
//! read here directly.

/// Where the system's time zone is described, as a TZif file.
const LOCALTIME: &str = "/etc/localtime";

/// Returns the current time at the local UTC offset: from `/etc/localtime` read as a TZif
/// file when `TZ` is unset, else as gix finds it.
pub(super) fn now() -> gix::date::Time {
    if std::env::var_os("TZ").is_none()
        && let Ok(data) = std::fs::read(LOCALTIME)
        && let Ok(zone) = jiff::tz::TimeZone::tzif("localtime", &data)
    {
        let now = jiff::Timestamp::now();
        return gix::date::Time {
            seconds: now.as_second(),
            offset: zone.to_offset(now).seconds(),
        };
    }
    gix::date::Time::now_local_or_utc()
}

/// Returns the person's name and email as git would author a commit with them:
/// `GIT_AUTHOR_NAME` / `GIT_AUTHOR_EMAIL`, else `author.*`, else `user.*` (and `EMAIL`
/// for the email); `None` when either is missing.
pub(super) fn person(repo: &gix::Repository) -> Option<(String, String)> {
    let config = repo.config_snapshot();
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.trim().is_empty());
    let setting = |key: &str| {
        config
            .string(key)
            .map(|v| v.to_string())
            .filter(|v| !v.trim().is_empty())
    };
    let name = env("GIT_AUTHOR_NAME")
        .or_else(|| setting("author.name"))
        .or_else(|| setting("user.name"))?;
    let email = env("GIT_AUTHOR_EMAIL")
        .or_else(|| setting("author.email"))
        .or_else(|| setting("user.email"))
        .or_else(|| env("EMAIL"))?;
    Some((name, email))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_offset_matches_the_one_jiff_finds_by_name() {
        let ours = super::now();
        let theirs = gix::date::Time::now_local_or_utc();
        assert_eq!(ours.offset, theirs.offset);
        assert!((theirs.seconds - ours.seconds).abs() <= 1);
    }
}
