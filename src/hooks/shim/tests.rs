use super::*;

const HOOK: HookName = HookName::PreCommit;

/// Installs twice (must be idempotent), uninstalls, and checks the round trip.
fn round_trip(original: &str) -> String {
    let installed = install(Some(original), HOOK).unwrap();
    assert_eq!(
        install(Some(&installed), HOOK).unwrap(),
        installed,
        "idempotent"
    );
    let block = find(&installed, HOOK).unwrap().unwrap();
    assert!(block.current && !block.created);
    assert_eq!(
        uninstall(&installed, HOOK).unwrap(),
        Removal::Restore(original.to_owned())
    );
    installed
}

#[test]
fn a_new_file_gets_a_shebang_and_is_deleted_again() {
    let text = install(None, HOOK).unwrap();
    assert!(
        text.starts_with("#!/bin/sh\n# >>> git-aos >>>\n# created by"),
        "{text}"
    );
    assert!(text.ends_with("# <<< git-aos <<<\n"));
    assert_eq!(install(Some(&text), HOOK).unwrap(), text);
    let block = find(&text, HOOK).unwrap().unwrap();
    assert!(block.created && block.current && !block.chained);
    assert_eq!(uninstall(&text, HOOK).unwrap(), Removal::Delete);
}

#[test]
fn the_block_goes_after_the_shebang_before_an_exit() {
    let original = "#!/bin/bash\necho user >> marker\nexit 0\n";
    let installed = round_trip(original);
    assert!(
        installed.starts_with(&format!("#!/bin/bash\n{}", HOOK.shim())),
        "{installed}"
    );
    assert!(find(&installed, HOOK).unwrap().unwrap().chained);
}

#[test]
fn files_without_a_shebang_or_a_final_newline_come_back_byte_for_byte() {
    round_trip("echo no shebang\n");
    round_trip("#!/bin/sh");
    round_trip("#!/bin/sh\necho no final newline");
    round_trip("");
    let one_line = install(Some("#!/bin/sh"), HOOK).unwrap();
    assert!(!find(&one_line, HOOK).unwrap().unwrap().chained);
}

#[test]
fn content_added_to_a_created_file_is_kept() {
    let mut text = install(None, HOOK).unwrap();
    text.push_str("echo mine\n");
    assert!(find(&text, HOOK).unwrap().unwrap().chained);
    assert_eq!(
        uninstall(&text, HOOK).unwrap(),
        Removal::Restore("#!/bin/sh\necho mine\n".to_owned())
    );
}

#[test]
fn an_old_block_is_refreshed_in_place() {
    let old = format!("#!/bin/sh\necho a\n{BEGIN}\ngit aos hook pre-commit\n{END}\necho b\n");
    let block = find(&old, HOOK).unwrap().unwrap();
    assert!(!block.current);
    let new = install(Some(&old), HOOK).unwrap();
    assert_eq!(new, format!("#!/bin/sh\necho a\n{}echo b\n", HOOK.shim()));
    assert_eq!(
        uninstall(&new, HOOK).unwrap(),
        Removal::Restore("#!/bin/sh\necho a\necho b\n".into())
    );
}

#[test]
fn scripts_for_other_interpreters_and_broken_blocks_are_refused() {
    assert_eq!(
        install(Some("#!/usr/bin/env python3\nprint(1)\n"), HOOK),
        Err(Error::NotShell("python3".into()))
    );
    assert_eq!(interpreter("#!/usr/bin/env -S bash -e\n"), Some("bash"));
    assert_eq!(interpreter("#!/bin/zsh\n"), Some("zsh"));
    assert_eq!(interpreter("echo\n"), None);
    let broken = format!("#!/bin/sh\n{BEGIN}\necho\n");
    assert_eq!(install(Some(&broken), HOOK), Err(Error::Unterminated));
    assert_eq!(uninstall(&broken, HOOK), Err(Error::Unterminated));
}
