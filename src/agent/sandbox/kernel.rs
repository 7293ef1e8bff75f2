//! Landlock itself: which ABI the kernel offers, the ruleset (read everywhere, write
//! only the grants), and the spawn from a thread that entered it.
// The one exception to the crate's `deny(unsafe_code)`: two Landlock system calls and
// `prctl` have no safe wrapper that confines a single thread; each call says why it
// is sound.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

#[cfg(target_os = "linux")]
use landlock::{
    ABI, Access, AccessFs, PathBeneath, PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr,
};

use super::grants::Grant;
#[cfg(target_os = "linux")]
use super::grants::GrantKind;

/// The rights handled: everything up to ABI 4 (truncation since ABI 3, cross-directory
/// renames since ABI 2). Device ioctls (ABI 5) are not a write path and stay allowed.
#[cfg(target_os = "linux")]
const TARGET: ABI = ABI::V4;

/// Returns the Landlock ABI version the kernel offers, or why there is none.
pub fn abi() -> Result<i32, String> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: with a null attribute, size 0 and LANDLOCK_CREATE_RULESET_VERSION (1)
        // the call only returns the ABI version; it reads and writes no memory.
        let v = unsafe {
            nix::libc::syscall(
                nix::libc::SYS_landlock_create_ruleset,
                std::ptr::null::<u8>(),
                0usize,
                1u32,
            )
        };
        if v > 0 {
            return Ok(i32::try_from(v).unwrap_or(i32::MAX));
        }
        let err = std::io::Error::last_os_error();
        Err(match err.raw_os_error() {
            Some(nix::libc::ENOSYS) => {
                "the kernel has no Landlock (Linux 5.13 or newer has it)".into()
            }
            Some(nix::libc::EOPNOTSUPP) => {
                "Landlock is built into the kernel but not enabled (boot with `lsm=…,landlock`)"
                    .into()
            }
            _ => format!("Landlock is unavailable: {err}"),
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err("Landlock exists only on Linux".into())
    }
}

/// Builds the ruleset in the parent: read and execute everywhere, write only the grants
/// that exist. Returns the ruleset's file descriptor and the grants left out (missing).
#[cfg(not(target_os = "linux"))]
pub fn ruleset(_grants: &[Grant]) -> Result<(OwnedFd, Vec<&Grant>), String> {
    Err("Landlock exists only on Linux".into())
}

/// Builds the ruleset in the parent: read and execute everywhere, write only the grants
/// that exist. Returns the ruleset's file descriptor and the grants left out (missing).
#[cfg(target_os = "linux")]
pub fn ruleset(grants: &[Grant]) -> Result<(OwnedFd, Vec<&Grant>), String> {
    let err = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    let mut created = Ruleset::default()
        .handle_access(AccessFs::from_all(TARGET))
        .and_then(|r| r.create())
        .map_err(|e| err("cannot create a Landlock ruleset", &e))?;
    let root = PathFd::new("/").map_err(|e| err("cannot open `/`", &e))?;
    created = created
        .add_rule(PathBeneath::new(root, AccessFs::from_read(TARGET)))
        .map_err(|e| err("cannot allow reading `/`", &e))?;
    let mut missing = Vec::new();
    for grant in grants {
        let Some(access) = access_for(grant) else {
            missing.push(grant);
            continue;
        };
        let Ok(fd) = PathFd::new(&grant.path) else {
            missing.push(grant);
            continue;
        };
        created = created
            .add_rule(PathBeneath::new(fd, access))
            .map_err(|e| {
                err(
                    &format!("cannot allow writing `{}`", grant.path.display()),
                    &e,
                )
            })?;
    }
    let fd: Option<OwnedFd> = created.into();
    fd.map(|fd| (fd, missing))
        .ok_or_else(|| "the kernel enforces none of the rights git aos needs".to_owned())
}

/// Returns the rights for a grant that exists: the full set on a directory, the file
/// rights on anything else; `None` when the path is missing.
#[cfg(target_os = "linux")]
fn access_for(grant: &Grant) -> Option<landlock::BitFlags<AccessFs>> {
    let meta = std::fs::metadata(&grant.path).ok()?;
    Some(if meta.is_dir() && grant.kind == GrantKind::Dir {
        AccessFs::from_all(TARGET)
    } else if meta.is_dir() {
        // A file grant that turned out to be a directory: nothing beneath it.
        return None;
    } else {
        AccessFs::from_file(TARGET)
    })
}

/// Spawns `cmd` inside the ruleset.
///
/// Landlock confines the calling thread and whatever it starts; so a thread of its own
/// (made for this spawn, gone right after) sets `no_new_privs`, enters the ruleset and
/// spawns. The runtime's threads stay free, and the spawn keeps its `vfork` fast path
/// (a `pre_exec` hook would force a full `fork` of the whole process). `no_new_privs`
/// is what lets an unprivileged process restrict itself; it also means set-uid programs
/// gain nothing in the agent.
pub fn spawn_confined(
    cmd: &mut tokio::process::Command,
    ruleset: &OwnedFd,
) -> std::io::Result<tokio::process::Child> {
    let runtime = tokio::runtime::Handle::current();
    let fd = ruleset.as_raw_fd();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let _entered = runtime.enter();
                restrict_self(fd)?;
                cmd.spawn()
            })
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the spawning thread panicked")))
    })
}

/// Confines the calling thread (and what it starts) to the ruleset `fd`.
#[cfg(target_os = "linux")]
fn restrict_self(fd: RawFd) -> std::io::Result<()> {
    use nix::libc;
    // SAFETY: `prctl` with integer arguments; it changes only this thread's flags.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a Landlock ruleset descriptor the caller keeps open; flags 0
    // restrict this thread only.
    if unsafe { libc::syscall(libc::SYS_landlock_restrict_self, fd, 0u32) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn restrict_self(_fd: RawFd) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Returns whether `inner` is `outer` or lies beneath it, comparing resolved paths.
pub fn contains(outer: &Path, inner: &Path) -> bool {
    match (std::fs::canonicalize(outer), std::fs::canonicalize(inner)) {
        (Ok(o), Ok(i)) => i.starts_with(o),
        _ => false,
    }
}
