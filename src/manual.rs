//! The manual pages, generated from the clap definitions (`clap_mangen`): `git-aos.1` and
//! one `git-aos-<command>.1` per command. `git aos --help` is turned by git into
//! `man git-aos`, so the pages must be where `man` looks: next to the binary, under
//! `<prefix>/share/man/man1` for a binary in `<prefix>/bin` (man derives that directory
//! from `PATH`). git aos writes them there itself when they are missing or from another
//! version: `cargo install` copies only the binary.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

/// Returns the manual directory (`…/share/man/man1`) for a binary at `exe`, when the
/// binary sits in a `bin` directory.
pub fn dir_for(exe: &Path) -> Option<PathBuf> {
    let bin = exe.parent()?;
    (bin.file_name()? == "bin").then(|| bin.parent().map(|p| p.join("share/man/man1")))?
}

/// Writes the pages next to the running binary when they are missing or stale; quiet and
/// best effort (a read-only prefix just goes without). `AOS_NO_MANUAL=1` turns it off.
pub fn ensure_installed() {
    if std::env::var_os("AOS_NO_MANUAL").is_some() {
        return;
    }
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| std::fs::canonicalize(e).ok())
        .and_then(|e| dir_for(&e))
    else {
        return;
    };
    if is_current(&dir) {
        return;
    }
    if let Err(e) = install(&dir) {
        tracing::debug!("could not write the manual to `{}`: {e}", dir.display());
    }
}

/// Returns whether `dir` holds this version's main page.
fn is_current(dir: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let Ok(mut file) = std::fs::File::open(dir.join("git-aos.1")) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    String::from_utf8_lossy(&head[..n])
        .contains(&format!("\"git-aos {}\"", env!("CARGO_PKG_VERSION")))
}

/// Writes every page into `dir` (created if needed); returns the files written.
pub fn install(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in pages()? {
        let path = dir.join(name);
        crate::atomic_file::replace(&path, text, Some(0o644))?;
        written.push(path);
    }
    Ok(written)
}

/// Returns every page as (file name, roff text): the main page, then one per command.
pub fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut root = crate::cli::Cli::command().name("git-aos");
    root.build();
    let mut out = vec![("git-aos.1".to_owned(), render(&root, "git-aos")?)];
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("git-aos-{}", sub.get_name());
        out.push((format!("{name}.1"), render(sub, &name)?));
    }
    Ok(out)
}

/// Renders one page titled `title`.
fn render(cmd: &clap::Command, title: &str) -> anyhow::Result<Vec<u8>> {
    let cmd = cmd
        .clone()
        .name(title.to_owned())
        .bin_name(title.replacen('-', " ", 2));
    let man = clap_mangen::Man::new(cmd)
        .title(title)
        .section("1")
        .source(format!("git-aos {}", env!("CARGO_PKG_VERSION")))
        .manual("git aos manual");
    let mut text = Vec::new();
    man.render(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_exist_for_the_tool_and_every_visible_command() {
        let pages = pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"git-aos.1"));
        assert!(names.contains(&"git-aos-run.1"));
        assert!(
            !names
                .iter()
                .any(|n| n.contains("hook.1") && !n.contains("hooks"))
        );
        let main = String::from_utf8_lossy(&pages[0].1).into_owned();
        assert!(
            main.contains(&format!("\"git-aos {}\"", env!("CARGO_PKG_VERSION"))),
            "{main}"
        );
        assert!(main.contains("approve"), "{main}");
    }

    #[test]
    fn the_directory_follows_a_binary_in_bin_only() {
        assert_eq!(
            dir_for(Path::new("/home/u/.cargo/bin/git-aos")),
            Some(PathBuf::from("/home/u/.cargo/share/man/man1"))
        );
        assert_eq!(dir_for(Path::new("/w/target/debug/git-aos")), None);
    }

    #[test]
    fn installing_writes_current_pages_once() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_current(dir.path()));
        let written = install(dir.path()).unwrap();
        assert!(written.len() > 10);
        assert!(is_current(dir.path()));
    }
}
