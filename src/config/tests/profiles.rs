//! Profiles: `extends` chains, cycles, stages and the built-in default.

use super::*;

#[test]
fn children_override_their_parents_field_by_field() {
    let config = load(
        "[profiles.default]\nmax_attempts = 5\nautonomy = \"supervised\"\n\
         [profiles.fast]\nextends = \"default\"\nstages = [\"implement\", \"test\", \"commit\"]\nmax_parallel = 8\n\
         [profiles.faster]\nextends = \"fast\"\nautonomy = \"autonomous\"\nfinal_review = true\n",
    );
    let faster = config.profile("faster").expect("faster");
    assert_eq!(faster.name, "faster");
    assert_eq!(
        faster.stages,
        vec![Stage::Implement, Stage::Test, Stage::Commit]
    );
    assert_eq!((faster.max_attempts, faster.max_parallel), (5, 8));
    assert_eq!(
        (faster.autonomy, faster.final_review),
        (Autonomy::Autonomous, true)
    );
    let default = config.profile("default").expect("default");
    assert_eq!(
        (default.max_attempts, default.max_parallel, default.autonomy),
        (5, 3, Autonomy::Supervised)
    );
}

#[test]
fn the_builtin_default_can_be_extended_without_being_written() {
    let config = load(
        "[profiles.tdd]\nextends = \"default\"\nstages = [\"tests\", \"red\", \"implement\", \"commit\"]\n",
    );
    let tdd = config.profile("tdd").expect("tdd");
    assert_eq!(
        tdd.stages,
        vec![Stage::Tests, Stage::Red, Stage::Implement, Stage::Commit]
    );
    assert_eq!(tdd.max_attempts, 3);
    assert_eq!(
        config.profile("default").expect("default"),
        ResolvedProfile::builtin("default")
    );
    let lone = load("[profiles.lone]\nmax_attempts = 1\n")
        .profile("lone")
        .expect("lone");
    assert_eq!(
        lone.stages,
        ResolvedProfile::builtin("x").stages,
        "no extends still starts from the built-in"
    );
}

#[test]
fn extends_must_name_a_profile() {
    let (message, hint) = error("[profiles.tdd]\nextends = \"defualt\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `profiles.tdd.extends` names profile `defualt`, which is not defined in `[profiles]`"
    );
    assert_eq!(hint.as_deref(), Some("defined profiles: `default`, `tdd`"));
}

#[test]
fn extends_cycles_are_errors() {
    let (message, _) = error(
        "[profiles.a]\nextends = \"b\"\n\n[profiles.b]\nextends = \"c\"\n[profiles.c]\nextends = \"a\"\n",
    );
    assert_eq!(
        message,
        "aos.toml:2: `profiles.a.extends` makes a cycle: `a` -> `b` -> `c` -> `a`"
    );
    let (message, _) =
        error("[profiles.default]\nmax_attempts = 2\n[profiles.self]\nextends = \"self\"\n");
    assert_eq!(
        message,
        "aos.toml:4: `profiles.self.extends` makes a cycle: `self` -> `self`"
    );
}

#[test]
fn stages_must_be_known_and_listed_once() {
    let (message, hint) =
        error("[profiles.default]\nstages = [\n  \"implement\",\n  \"tset\",\n]\n");
    assert_eq!(
        message,
        "aos.toml:4: `profiles.default.stages` has unknown stage `tset`"
    );
    assert_eq!(
        hint.as_deref(),
        Some("stages: `tests`, `red`, `implement`, `test`, `review`, `qa`, `human`, `commit`")
    );
    let (message, _) = error("[profiles.default]\nstages = [\"test\", \"test\"]\n");
    assert_eq!(
        message,
        "aos.toml:2: `profiles.default.stages` lists stage `test` twice"
    );
}

#[test]
fn numbers_and_autonomy_are_checked() {
    let (message, _) = error("[profiles.default]\nmax_attempts = 0\n");
    assert_eq!(
        message,
        "aos.toml:2: `profiles.default.max_attempts` must be at least 1"
    );
    let (message, _) = error("[profiles.default]\nmax_parallel = -1\n");
    assert!(
        message.starts_with(
            "aos.toml:2: `profiles.default.max_parallel`: invalid value: integer `-1`"
        ),
        "{message}"
    );
    let (message, hint) = error("[profiles.default]\n\nautonomy = \"yolo\"\n");
    assert_eq!(
        message,
        "aos.toml:3: `profiles.default.autonomy` is `yolo`, which is not an autonomy level"
    );
    assert_eq!(
        hint.as_deref(),
        Some("levels: `supervised`, `gatekeeper`, `autonomous`")
    );
}
