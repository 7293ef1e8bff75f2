//! The files of the demo project: a tiny POSIX shell toolkit with its own tests, and
//! the three plans the demo runs in parallel.

/// `tests/run.sh`: the project's test command; runs every `tests/test_*.sh`.
pub const TEST_RUNNER: &str = r#"#!/bin/sh
# Runs every tests/test_*.sh; fails when one fails.
status=0
for t in tests/test_*.sh; do
  [ -e "$t" ] || continue
  if sh "$t"; then echo "ok   $t"; else echo "FAIL $t"; status=1; fi
done
exit $status
"#;

/// `README.md` of the demo project.
pub const README: &str = "# textkit\n\nSmall text tools, written by agents under git aos.\n";

/// The plan of the `case-tools` workstream: two independent tasks, one that needs both,
/// and one after that.
pub const CASE_PLAN: &str = r#"# Plan: case tools

Shell tools under `bin/` that read stdin and write stdout. Every tool starts with a
`# usage:` comment line; every tool has a test in `tests/`.

### [ ] T1: Upper-case tool
Depends: none
Files: bin/upper, tests/test_upper.sh

Add `bin/upper`, which upper-cases its input.

#### Acceptance
- `sh tests/test_upper.sh`
- the tool explains its usage in a comment

#### Outputs
- tool: bin/upper

#### Run
```sh
mkdir -p bin tests
# The reviewer asks for a usage line; add it once the feedback says so.
if grep -q 'usage' "$AOS_PROMPT_FILE" && grep -q 'Review: request_changes' "$AOS_PROMPT_FILE"; then
  printf '#!/bin/sh\n# usage: upper < in > out\ntr a-z A-Z\n' > bin/upper
else
  printf '#!/bin/sh\ntr a-z A-Z\n' > bin/upper
fi
chmod +x bin/upper
printf '[ "$(echo abc | sh bin/upper)" = ABC ]\n' > tests/test_upper.sh
printf '{"status":"done","summary":"added bin/upper","outputs":{"tool":"bin/upper"},"learnings":["tools read stdin and write stdout"]}' > "$AOS_RESULT"
```

### [ ] T2: Lower-case tool
Depends: none
Files: bin/lower, tests/test_lower.sh

Add `bin/lower`, which lower-cases its input.

#### Acceptance
- `sh tests/test_lower.sh`

#### Run
```sh
mkdir -p bin tests
printf '#!/bin/sh\n# usage: lower < in > out\ntr A-Z a-z\n' > bin/lower
chmod +x bin/lower
printf '[ "$(echo ABC | sh bin/lower)" = abc ]\n' > tests/test_lower.sh
```

### [ ] T3: Swap-case tool built on both
Depends: T1, T2
Files: bin/swap, tests/test_swap.sh

Add `bin/swap`, which swaps the case of every letter, next to ${T1.outputs.tool}.

#### Acceptance
- `sh tests/test_swap.sh`

#### Run
```sh
printf '#!/bin/sh\n# usage: swap < in > out\ntr a-zA-Z A-Za-z\n' > bin/swap
chmod +x bin/swap
printf '[ "$(echo aBc | sh bin/swap)" = AbC ]\n' > tests/test_swap.sh
```

### [ ] T4: Document the case tools
Depends: T3
Files: docs/case.md

#### Acceptance
- `grep -q swap docs/case.md`

#### Run
```sh
mkdir -p docs
printf '# Case tools\n\n- `bin/upper`\n- `bin/lower`\n- `bin/swap`\n' > docs/case.md
```
"#;

/// The plan of the `count-tools` workstream, run beside the other.
pub const COUNT_PLAN: &str = r#"# Plan: count tools

Counting tools under `bin/`, each with a `# usage:` line and a test.

### [ ] C1: Word counter
Files: bin/words, tests/test_words.sh

#### Acceptance
- `sh tests/test_words.sh`

#### Run
```sh
mkdir -p bin tests
printf '#!/bin/sh\n# usage: words < in\nwc -w | tr -d " "\n' > bin/words
chmod +x bin/words
printf '[ "$(echo a b c | sh bin/words)" = 3 ]\n' > tests/test_words.sh
```

### [ ] C2: Line counter
Files: bin/lines, tests/test_lines.sh

#### Acceptance
- `sh tests/test_lines.sh`

#### Run
```sh
mkdir -p bin tests
printf '#!/bin/sh\n# usage: lines < in\nwc -l | tr -d " "\n' > bin/lines
chmod +x bin/lines
printf '[ "$(printf "a\\nb\\n" | sh bin/lines)" = 2 ]\n' > tests/test_lines.sh
```

### [ ] C3: Document the counters
Depends: C1, C2
Files: docs/count.md

#### Acceptance
- `grep -q words docs/count.md`

#### Run
```sh
mkdir -p docs
printf '# Count tools\n\n- `bin/words`\n- `bin/lines`\n' > docs/count.md
```
"#;

/// The plan of the `greeting` workstream: one task, which a person approves at the gate.
pub const GREETING_PLAN: &str = r#"# Plan: greeting

A greeting tool under `bin/`, with a `# usage:` line and a test.

### [ ] G1: Greeting tool
Files: bin/greet, tests/test_greet.sh

Add `bin/greet NAME`, which prints `hello, NAME`.

#### Acceptance
- `sh tests/test_greet.sh`

#### Run
```sh
mkdir -p bin tests
printf '#!/bin/sh\n# usage: greet NAME\necho "hello, $1"\n' > bin/greet
chmod +x bin/greet
printf '[ "$(sh bin/greet you)" = "hello, you" ]\n' > tests/test_greet.sh
```
"#;
