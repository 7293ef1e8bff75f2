"""Fake `claude` and `codex` CLIs for git-aos tests.

They parse the flags the real CLIs take, read the prompt the way the real ones do
(stdin until it closes), and print exactly the shapes of shared/AGENT-FORMATS.md.
What they do is read from the scenario file named by FAKE_AGENT_SCENARIO, one
directive per line (blank lines and `# comments` skipped; `\\n` in text is a newline):

  say <text>                  an assistant message (claude `assistant`, codex `agent_message`)
  stderr <text>               a line on stderr
  print-env <NAME>            say the value of $NAME (and print it on stderr)
  write <path> <text>         create or overwrite a file (relative to the working directory;
                              `${VAR}` in path and text expands, e.g. `${AOS_TASK}.txt`)
  append <path> <text>        append to a file
  result <json>               write the JSON to $AOS_RESULT
  pidfile <path>              write "<pid> <pgid>" of this process
  spawn-grandchild            start a child that ignores SIGTERM, holds stdout and sleeps
                              (returns once the child's handler is installed)
  sleep <seconds>             only to simulate a hang, never to synchronise
  emit success [text]         the end-of-run record of a successful run (final text)
  emit is_error <message>     claude `is_error: true` / codex `turn.failed`; exit 1
  emit turn_failed <message>  codex `turn.failed` / claude error result; exit 1
  emit rate_limit             a 429 error as each CLI reports it; exit 1
  emit server_error           a 5xx as each CLI reports it (codex: "high demand"); exit 1
  emit auth                   an authentication error (codex exits 2); exit 1 or 2
  emit garbage                output that is not the CLI's format; exit 0
  emit question <text>        result `blocked` with the question, then success
  emit crash_midway           half an event, then abort (SIGABRT)
  exit <n>                    exit now with code n

Sections separated by a line `---` serve successive calls (the last repeats); the
count is kept in `<scenario>.calls`. Without a scenario the agent writes a `done` result and succeeds. With
FAKE_AGENT_RECORD set, each call appends {agent, argv, cwd, stdin, env} as one JSON
line to that file, so tests can check what the adapter passed.

Like the real CLIs they refuse flags they do not know (claude exit 1, codex exit 2 as
clap does), keep to their permission mode or sandbox (`write`, `append` and `result`
are refused where the real CLI could not write: claude `--permission-mode plan`, codex
`--sandbox read-only`, and codex `workspace-write` outside its working directory and
`--add-dir` directories), and report a resumed session's running totals (claude
`total_cost_usd`, codex `turn.completed.usage`; counted in `<scenario>.sessions`).
FAKE_AGENT_DROP_FLAGS (comma-separated) plays a CLI that no longer has those flags:
its help leaves them out and it refuses them.
"""

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid

DEFAULT_SCENARIO = 'result {"status":"done","summary":"fake agent did nothing"}\nemit success done\n'


class Usage(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def unescape(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def out(obj):
    # Compact, UTF-8 JSON: what `JSON.stringify` (claude) and serde_json (codex) print.
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def err(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def dropped():
    return [f for f in os.environ.get("FAKE_AGENT_DROP_FLAGS", "").split(",") if f]


def drop_flags(table):
    """Returns the flag table without the flags FAKE_AGENT_DROP_FLAGS names."""
    return {k: v for k, v in table.items() if k not in dropped()}


def drop_help(text):
    """Returns the help without the lines that name a dropped flag."""
    gone = dropped()
    keep = [line for line in text.splitlines(True)
            if not any(flag in line.replace(',', ' ').split() for flag in gone)]
    return "".join(keep)


def count_call(session):
    """Counts a call of `session` and returns how many it has had, this one included."""
    scenario = os.environ.get("FAKE_AGENT_SCENARIO")
    if not scenario:
        return 1
    with open(scenario + ".sessions", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        calls = f.read().split().count(session) + 1
        f.write(session + "\n")
    return calls


def parse_flags(argv, with_value, without_value, positional_limit, usage_code,
                unknown="error: unknown option '{}'"):
    """Returns (flags, positionals); raises Usage (exit `usage_code`) on a bad option.
    A repeated flag keeps its last value, and every value in `<name>_all`."""
    flags, positionals, i = {}, [], 0
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=")
        if arg != "-" and arg.startswith("-"):
            if name in with_value:
                if eq:
                    value = inline
                elif i + 1 < len(argv):
                    i += 1
                    value = argv[i]
                else:
                    raise Usage(f"error: option '{name}' argument missing", usage_code)
                flags[with_value[name]] = value
                flags.setdefault(with_value[name] + "_all", []).append(value)
            elif arg in without_value:
                flags[without_value[arg]] = True
            else:
                raise Usage(unknown.format(arg), usage_code)
        else:
            positionals.append(arg)
            if len(positionals) > positional_limit:
                raise Usage(f"error: unexpected argument '{arg}'", usage_code)
        i += 1
    return flags, positionals


def record(agent, argv, stdin):
    path = os.environ.get("FAKE_AGENT_RECORD")
    if not path:
        return
    env = {k: v for k, v in os.environ.items() if k.startswith("AOS_") or k.startswith("FAKE_")}
    with open(path, "a") as f:
        f.write(json.dumps({"agent": agent, "argv": argv, "cwd": os.getcwd(), "stdin": stdin, "env": env}) + "\n")


def read_scenario():
    """Returns the directives for this call.

    A scenario file may hold several sections separated by lines of `---`: the Nth call
    (counted in `<scenario>.calls`) runs the Nth section, and the last one repeats, so
    a test can script "request changes once, then approve".
    """
    path = os.environ.get("FAKE_AGENT_SCENARIO")
    if not path:
        return DEFAULT_SCENARIO
    with open(path) as f:
        sections = [s for s in f.read().split("\n---\n")]
    if len(sections) == 1:
        return sections[0]
    counter = path + ".calls"
    with open(counter, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        calls = len(f.read())
        f.write(".")
    return sections[min(calls, len(sections) - 1)]


def run_scenario(cli, text):
    """Runs the directives; returns the exit code."""
    code = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, rest = line.partition(" ")
        rest = rest.strip()
        if verb == "say":
            cli.say(unescape(rest))
        elif verb == "stderr":
            err(unescape(rest))
        elif verb == "print-env":
            value = os.environ.get(rest, "")
            cli.say(f"{rest} is {value}")
            err(f"debug: {rest}={value}")
        elif verb in ("write", "append"):
            # `${AOS_TASK}` and other variables expand, so one scenario serves many tasks.
            path, _, body = os.path.expandvars(rest).partition(" ")
            if refused(cli, path):
                continue
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "w" if verb == "write" else "a") as f:
                f.write(unescape(body))
        elif verb == "result":
            if refused(cli, os.environ["AOS_RESULT"]):
                continue
            with open(os.environ["AOS_RESULT"], "w") as f:
                f.write(rest)
        elif verb == "pidfile":
            # Whole or not at all: a test that sees the file reads both numbers.
            with open(rest + ".tmp", "w") as f:
                f.write(f"{os.getpid()} {os.getpgid(0)}\n")
            os.replace(rest + ".tmp", rest)
        elif verb == "spawn-grandchild":
            spawn_grandchild()
        elif verb == "sleep":
            time.sleep(float(rest))
        elif verb == "emit":
            kind, _, arg = rest.partition(" ")
            arg = unescape(arg.strip())
            if kind == "question":
                if not refused(cli, os.environ["AOS_RESULT"]):
                    with open(os.environ["AOS_RESULT"], "w") as f:
                        json.dump({"status": "blocked", "summary": "needs an answer",
                                   "question": arg}, f)
                cli.success(f"I have a question: {arg}")
            elif kind == "crash_midway":
                cli.crash_midway()
                os.abort()
            elif kind == "garbage":
                out("Segmentation fault? no: this is \x01 not the expected format {{{")
                out("%%%%%%%%")
            else:
                code = getattr(cli, kind)(arg) or 0
        elif verb == "exit":
            return int(rest)
        else:
            err(f"fake agent: unknown scenario directive `{verb}`")
            return 99
    return code


def refused(cli, path):
    """Returns whether the CLI's mode or sandbox keeps it from writing `path` (and says
    so on stderr, as the tool's error would)."""
    why = cli.may_write(os.path.abspath(path))
    if why:
        err(f"fake agent: not written: {why}")
    return bool(why)


def spawn_grandchild():
    """Starts a child that ignores SIGTERM, inherits stdout/stderr and sleeps; returns
    once its handler is installed, so a SIGTERM cannot beat it to it."""
    ready_r, ready_w = os.pipe()
    code = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "os.write(int(sys.argv[1]), b'1')\n"
        "time.sleep(3600)\n"
    )
    subprocess.Popen([sys.executable, "-c", code, str(ready_w)], stdin=subprocess.DEVNULL, pass_fds=(ready_w,))
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)


def serve(name, argv, start):
    """Parses argv with `start` (which returns the CLI object, or None when it already
    answered `--help`/`--version`), records the call and runs the scenario."""
    try:
        cli = start(argv)
    except Usage as e:
        err(str(e))
        return e.code
    if cli is None:
        return 0
    record(name, argv, cli.prompt)
    return run_scenario(cli, read_scenario())


def read_prompt(positional):
    """Returns the prompt: the argument, or stdin until it closes (like the real CLIs,
    which wait forever on a pipe nobody closes)."""
    if positional not in (None, "-"):
        return positional
    return sys.stdin.read()


def new_session(resume):
    return resume or str(uuid.uuid4())


signal.signal(signal.SIGPIPE, signal.SIG_DFL)
