"""Fake `gh` and `glab` CLIs for git-aos tests: a tiny forge kept in a JSON file.

They take the flags the real CLIs take (an unknown flag is an error, as cobra says it),
and print what the real ones print: `gh pr create` and `glab mr create` the new request's
URL, `glab mr update` what it changed and the URL, `gh pr view --json`/`gh pr list --json`
exactly the fields asked for (an unknown one is an error), `gh api` and `glab api`
GitHub's and GitLab's REST objects (one JSON array per page with --paginate), `glab mr
view -F json` and `glab mr list -F json` GitLab's merge request objects.

The forge is the JSON file named by FAKE_FORGE_STATE (tests write and change it):

  repo          the project, `host/owner/name` (a request for another is not found)
  git_dir       the bare repository the branches are pushed to: heads are read from it
  auth          false: `auth status` fails and every other call says to log in
  fail          {"pr create": "message", ...}: that call prints the message and exits 1
  hang          ["pr view", ...]: that call never answers (to test timeouts)
  next_number   the number the next request gets
  requests      [{number, title, body, base, head, draft, state (open|closed|merged),
                  head_oid, merge_commit, review_decision, checks, pipeline,
                  detailed_merge_status, approved_by, reviews, comments, line_comments,
                  notes}]

With FAKE_FORGE_RECORD set, each call appends {tool, argv, body} as one JSON line to that
file (`body`: the text of the body file the call read, or the description it was given).
"""

import fcntl
import json
import os
import subprocess
import sys
import time


class Exit(Exception):
    def __init__(self, code, stderr="", stdout=""):
        super().__init__(stderr)
        self.code, self.stderr, self.stdout = code, stderr, stdout


def parse(argv, with_value, without_value, command):
    """Returns (flags, positionals); repeated flags collect into lists."""
    flags, positionals, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            positionals.extend(argv[i + 1:])
            break
        if a.startswith("-") and a != "-":
            name, eq, value = a.partition("=")
            if name in with_value:
                if not eq:
                    i += 1
                    if i >= len(argv):
                        raise Exit(1, f"flag needs an argument: {name}\n")
                    value = argv[i]
                flags.setdefault(with_value[name], []).append(value)
            elif name in without_value and not eq:
                flags[without_value[name]] = True
            else:
                raise Exit(1, f"unknown flag: {name}\n\nUsage:  {command} [flags]\n")
        else:
            positionals.append(a)
        i += 1
    return flags, positionals


def one(flags, key, default=None):
    values = flags.get(key)
    return values[-1] if values else default


class Forge:
    """The state file, held under an exclusive lock for the whole call."""

    def __init__(self, path):
        self.file = open(path, "r+")
        fcntl.flock(self.file, fcntl.LOCK_EX)
        self.data = json.load(self.file)

    def save(self):
        self.file.seek(0)
        self.file.truncate()
        json.dump(self.data, self.file, indent=2)
        self.file.flush()

    def requests(self):
        return self.data.setdefault("requests", [])

    def request(self, number):
        for r in self.requests():
            if r["number"] == number:
                return r
        return None

    def tip(self, branch):
        """The commit the bare repository holds for `branch`, or None."""
        git_dir = self.data.get("git_dir")
        if not git_dir:
            return None
        out = subprocess.run(
            ["git", "--git-dir", git_dir, "rev-parse", "--verify", "--quiet",
             f"refs/heads/{branch}^{{commit}}"],
            capture_output=True, text=True)
        return out.stdout.strip() or None

    def head_oid(self, r):
        if r.get("state", "open") == "open":
            return self.tip(r["head"]) or r.get("head_oid")
        return r.get("head_oid") or self.tip(r["head"])

    def create(self, title, body, base, head, draft):
        number = self.data.get("next_number", 1)
        self.data["next_number"] = number + 1
        r = {"number": number, "title": title, "body": body, "base": base, "head": head,
             "draft": draft, "state": "open", "reviews": [], "comments": [],
             "line_comments": [], "notes": []}
        self.requests().append(r)
        return r


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        raise Exit(1, f"failed to read file {path}: {e.strerror}\n")


def record(tool, argv, body):
    path = os.environ.get("FAKE_FORGE_RECORD")
    if not path:
        return
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(json.dumps({"tool": tool, "argv": argv, "body": body}) + "\n")


def out(value):
    sys.stdout.write(value if isinstance(value, str) else json.dumps(value))
    sys.stdout.write("\n")


def pages(items, size=2):
    """Prints `items` the way --paginate does: one JSON array per page."""
    if not items:
        out([])
    for i in range(0, len(items), size):
        out(items[i:i + size])


def serve(tool, argv, handle):
    """Runs one call: the scenario's failures and hangs first, then `handle`."""
    state = os.environ.get("FAKE_FORGE_STATE")
    body = None
    try:
        if not state:
            raise Exit(1, f"fake {tool}: FAKE_FORGE_STATE is not set\n")
        forge = Forge(state)
        words = " ".join(a for a in argv[:2] if not a.startswith("-"))
        if words in forge.data.get("hang", []):
            forge.file.close()
            while True:
                time.sleep(3600)
        message = forge.data.get("fail", {}).get(words)
        if message is not None:
            raise Exit(1, message + "\n")
        body = handle(forge, argv)
        forge.save()
        code = 0
    except Exit as e:
        sys.stdout.write(e.stdout)
        sys.stderr.write(e.stderr)
        code = e.code
    record(tool, argv, body)
    return code
