#!/usr/bin/env python3
"""A scripted model server for running the real `claude` and `codex` CLIs offline.

It speaks just enough of the Anthropic Messages API (`POST /v1/messages`, SSE) for
Claude Code and of the OpenAI Responses API (`POST /v1/responses`, SSE) for Codex, and
decides every answer from the request alone, following a script of rules:

    {"rules": [
      {"when": {"api": "anthropic", "prompt": "## Verdict", "tool_result": false},
       "times": 1,
       "reply": {"shell": "printf hi > a.txt"},
       "usage": {"input": 120, "cached": 30, "output": 12}},
      ...
    ]}

`when` (every key optional, all must hold):
  api           "anthropic" or "openai"
  prompt        a substring of the latest prompt (the last user text that is not a
                tool result: what git aos sent this call)
  not_prompt    a substring the latest prompt must not contain
  tool_result   true when the request ends with a tool's result, false when it ends
                with a prompt
  output        a substring of that tool result
  history       a substring of any earlier user or assistant text (a resumed session)
  model         the requested model

`times` limits how often a rule answers (the server's only state); the first rule
that holds answers. `reply` is one of:
  {"text": "..."}                  a final answer (end of turn)
  {"shell": "cmd"}                 a tool call running `cmd` (claude: `Bash`,
                                   codex: `exec_command`), then the CLI calls again
  {"tool": "Name", "input": {...}} any other tool call (e.g. claude's `Write`)
  {"error": 429, "message": "..."} an HTTP error; claude is told not to retry it
                                   unless `"retry": true` (then it retries on its own,
                                   printing `api_retry` lines)
  {"hang": true}                   read the request, never answer
In `text`, `shell` and tool inputs, `{result_file}` becomes the path the prompt gives
for the result (`... as JSON to `PATH``) and `{cwd}` the working directory the CLI
reports. `usage` sets the tokens of the answer: `input` (every input token, cached
ones included, default 100), `cached` (default 0) and `output` (default 20).

Every request is logged as one JSON line (`--log`): api, path, model, prompt,
tool_result, output, history, the rule that answered, the tools offered, the
response format asked for, and the headers.

Binds 127.0.0.1 on an ephemeral port, prints `listening <port>` on stdout, and exits
after `--lifetime` seconds or as soon as its stdin closes (the test that started it
is gone). Python 3 standard library only.
"""

import argparse
import http.server
import json
import re
import sys
import threading
import time
import uuid

RESULT_PATH = re.compile(r"as JSON to `([^`]+)`")


class Script:
    def __init__(self, rules):
        self.rules = rules
        self.used = [0] * len(rules)
        self.lock = threading.Lock()

    def pick(self, req):
        with self.lock:
            for i, rule in enumerate(self.rules):
                times = rule.get("times")
                if times is not None and self.used[i] >= times:
                    continue
                if matches(rule.get("when", {}), req):
                    self.used[i] += 1
                    return i, rule
        return None, None


def matches(when, req):
    checks = {
        "api": lambda v: req["api"] == v,
        "prompt": lambda v: v in req["prompt"],
        "not_prompt": lambda v: v not in req["prompt"],
        "tool_result": lambda v: req["tool_result"] == v,
        "output": lambda v: v in req["output"],
        "history": lambda v: v in req["history"],
        "model": lambda v: req["model"] == v,
    }
    for key, value in when.items():
        if key not in checks:
            raise ValueError(f"unknown condition `{key}`")
        if not checks[key](value):
            return False
    return True


def texts(content):
    """Returns the text pieces of a message content (string or blocks)."""
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if block.get("type") in ("text", "input_text", "output_text"):
            out.append(block.get("text", ""))
    return out


def tool_output(block):
    content = block.get("content", block.get("output", ""))
    if isinstance(content, str):
        return content
    return "\n".join(texts(content))


def read_anthropic(body):
    """Returns the request's facts: latest prompt, whether it ends with a tool result."""
    messages = body.get("messages", [])
    prompt, output, tool_result, history = "", "", False, []
    for n, msg in enumerate(messages):
        last = n == len(messages) - 1
        content = msg.get("content")
        blocks = content if isinstance(content, list) else []
        results = [b for b in blocks if b.get("type") == "tool_result"]
        if msg.get("role") == "user" and results:
            if last:
                tool_result, output = True, "\n".join(tool_output(b) for b in results)
            continue
        if msg.get("role") == "user":
            if prompt:
                history.append(prompt)
            prompt = "\n".join(texts(content))
        else:
            history.extend(texts(content))
    return {"prompt": prompt, "tool_result": tool_result, "output": output,
            "history": "\n".join(history), "model": body.get("model", "")}


def read_openai(body):
    items = body.get("input", [])
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    prompt, output, tool_result, history = "", "", False, []
    for n, item in enumerate(items):
        last = n == len(items) - 1
        kind = item.get("type", "message")
        if kind == "function_call_output":
            if last:
                tool_result, output = True, tool_output(item)
            continue
        if kind != "message":
            continue
        text = "\n".join(texts(item.get("content")))
        if item.get("role") == "user":
            # Codex sends its environment context as a user message of its own.
            if text.startswith("<environment_context>") or text.startswith("<permissions"):
                continue
            if prompt:
                history.append(prompt)
            prompt = text
        elif item.get("role") == "assistant":
            history.append(text)
    return {"prompt": prompt, "tool_result": tool_result, "output": output,
            "history": "\n".join(history), "model": body.get("model", "")}


def fill(value, req):
    """Replaces `{result_file}` and `{cwd}` in every string of a reply."""
    if isinstance(value, str):
        found = RESULT_PATH.search(req["prompt"])
        value = value.replace("{result_file}", found.group(1) if found else "")
        return value.replace("{cwd}", req.get("cwd", ""))
    if isinstance(value, list):
        return [fill(v, req) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, req) for k, v in value.items()}
    return value


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aos-model-server/1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.plain(404, {"error": {"message": "not found"}})

    def do_HEAD(self):
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        path = self.path.split("?")[0]
        if path.endswith("/count_tokens"):
            return self.plain(200, {"input_tokens": 100})
        if path.endswith("/messages"):
            api = "anthropic"
        elif path.endswith("/responses"):
            api = "openai"
        else:
            return self.plain(404, {"error": {"message": f"no such endpoint {path}"}})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.plain(400, {"error": {"message": "body is not JSON"}})
        req = read_anthropic(body) if api == "anthropic" else read_openai(body)
        req["api"] = api
        found = re.search(r"(?:Primary working directory: |<cwd>)([^\n<]+)", json.dumps(body)
                          .replace("\\n", "\n"))
        req["cwd"] = found.group(1).strip() if found else ""
        index, rule = self.server.script.pick(req)
        self.server.log({"api": api, "path": self.path, "model": req["model"],
                         "prompt": req["prompt"], "tool_result": req["tool_result"],
                         "output": req["output"], "history": req["history"], "rule": index,
                         "stream": body.get("stream", False),
                         "text_format": (body.get("text") or {}).get("format"),
                         "tools": [t.get("name") for t in body.get("tools", [])],
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
        if rule is None:
            return self.error(api, 500, "the model server's script has no rule for this request")
        reply = fill(rule.get("reply", {}), req)
        usage = rule.get("usage", {})
        if reply.get("hang"):
            self.server.stopped.wait()
            return
        if "error" in reply:
            return self.error(api, int(reply["error"]), reply.get("message", "scripted error"),
                              reply.get("retry", False))
        if api == "anthropic":
            self.anthropic(reply, usage, req)
        else:
            self.openai(reply, usage)

    def plain(self, status, obj, headers=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, api, status, message, retry=False):
        if api == "anthropic":
            kinds = {400: "invalid_request_error", 401: "authentication_error",
                     403: "permission_error", 429: "rate_limit_error", 529: "overloaded_error"}
            body = {"type": "error", "error": {"type": kinds.get(status, "api_error"),
                                               "message": message}}
        else:
            kinds = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
            body = {"error": {"message": message, "type": kinds.get(status, "server_error"),
                              "code": kinds.get(status, "server_error")}}
        # Claude Code retries errors for minutes unless told not to.
        headers = [("retry-after", "0")] if retry else [("x-should-retry", "false")]
        self.plain(status, body, headers)

    def stream(self, events):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        for name, data in events:
            self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()
        self.close_connection = True

    def anthropic(self, reply, usage, req):
        # `input` counts every input token, cached ones too (as OpenAI does); Anthropic
        # reports cache reads apart from `input_tokens`.
        cached = usage.get("cached", 0)
        tokens = {"input_tokens": usage.get("input", 100) - cached, "output_tokens": 1,
                  "cache_read_input_tokens": cached, "cache_creation_input_tokens": 0}
        msg_id = "msg_" + uuid.uuid4().hex[:24]
        events = [("message_start", {"type": "message_start", "message": {
            "id": msg_id, "type": "message", "role": "assistant", "model": req["model"],
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": tokens}})]
        if "text" in reply:
            block = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": reply["text"]}
            stop = "end_turn"
        else:
            name = "Bash" if "shell" in reply else reply["tool"]
            args = {"command": reply["shell"], "description": "Run the scripted command"} \
                if "shell" in reply else reply.get("input", {})
            block = {"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:20],
                     "name": name, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(args)}
            stop = "tool_use"
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": block}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta",
                               "delta": {"stop_reason": stop, "stop_sequence": None},
                               "usage": {"output_tokens": usage.get("output", 20)}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        self.stream(events)

    def openai(self, reply, usage):
        resp_id = "resp_" + uuid.uuid4().hex[:24]
        if "text" in reply:
            item_id = "msg_" + uuid.uuid4().hex[:24]
            item = {"type": "message", "id": item_id, "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": reply["text"],
                                 "annotations": []}]}
            added = dict(item, status="in_progress", content=[])
            middle = [("response.output_text.delta", {
                "type": "response.output_text.delta", "item_id": item_id,
                "output_index": 0, "content_index": 0, "delta": reply["text"]})]
        else:
            name = "exec_command" if "shell" in reply else reply["tool"]
            args = {"cmd": reply["shell"]} if "shell" in reply else reply.get("input", {})
            item = {"type": "function_call", "id": "fc_" + uuid.uuid4().hex[:24],
                    "call_id": "call_" + uuid.uuid4().hex[:24], "name": name,
                    "arguments": json.dumps(args), "status": "completed"}
            added, middle = item, []
        tokens = {"input_tokens": usage.get("input", 100),
                  "input_tokens_details": {"cached_tokens": usage.get("cached", 0)},
                  "output_tokens": usage.get("output", 20),
                  "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": usage.get("input", 100) + usage.get("output", 20)}
        base = {"id": resp_id, "object": "response", "created_at": int(time.time()),
                "model": "scripted"}
        events = [
            ("response.created", {"type": "response.created",
                                  "response": dict(base, status="in_progress", output=[])}),
            ("response.output_item.added", {"type": "response.output_item.added",
                                            "output_index": 0, "item": added}),
            *middle,
            ("response.output_item.done", {"type": "response.output_item.done",
                                           "output_index": 0, "item": item}),
            ("response.completed", {"type": "response.completed", "response": dict(
                base, status="completed", output=[item], usage=tokens)}),
        ]
        self.stream(events)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script, log_path):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script = script
        self.log_path = log_path
        self.log_lock = threading.Lock()
        self.stopped = threading.Event()

    def log(self, entry):
        if not self.log_path:
            return
        with self.log_lock, open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", required=True, help="the rules, as a JSON file")
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--lifetime", type=float, default=300.0,
                        help="seconds before the server stops on its own")
    args = parser.parse_args()
    with open(args.script) as f:
        script = Script(json.load(f)["rules"])
    server = Server(script, args.log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(f"listening {server.server_address[1]}\n")
    sys.stdout.flush()

    def watch_stdin():
        # EOF on stdin: whoever started the server is gone.
        while sys.stdin.buffer.read(4096):
            pass
        server.stopped.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.stopped.wait(args.lifetime)
    server.stopped.set()
    server.shutdown()


if __name__ == "__main__":
    main()
