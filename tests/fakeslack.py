"""A fake Slack Web API on loopback: records every call and plays answers, 429s and errors.

One instance serves the whole test suite (see conftest.py). Point `SLACK_API_URL` at `.api_url`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage"), "response_url" or "upload"
    params: dict[str, Any]
    headers: dict[str, str]
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def text(self) -> str:
        """Everything a person would read in this message: text plus every text inside blocks."""
        parts = [str(self.params.get("text") or "")]
        for key in ("blocks", "view", "attachments"):
            if key in self.params:
                parts.extend(_texts(self.params[key]))
        return "\n".join(p for p in parts if p)


def _texts(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                out.append(value)
            else:
                out.extend(_texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(_texts(item))
    return out


@dataclass
class Failure:
    method: str
    status: int = 429
    retry_after: int | None = 1
    error: str | None = None  # with status 200: {"ok": false, "error": error}
    times: int = 1
    delay: float = 0.0  # seconds to wait before answering (timeouts)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict] = {}
        self.handlers: dict[str, Callable[[Call], dict]] = {}
        self._failures: list[Failure] = []
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.uploads: dict[str, bytes] = {}
        self.files: dict[str, dict[str, Any]] = {}  # file id → files.info's "file", plus "_data" (the bytes)
        self.home_hashes: dict[str, str] = {}  # user → the hash of the Home Slack shows them now
        self.home_views: dict[str, dict] = {}  # user → that Home, as a click sends it back (id, hash)
        self._hash_lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-slack", daemon=True)
        self._thread.start()

    # --- control -------------------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self.handlers.clear()
            self.users.clear()
            self.uploads.clear()
            self.files.clear()
            self.home_hashes.clear()
            self.home_views.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, status: int = 429, *, retry_after: int | None = 1, error: str | None = None,
             times: int = 1, delay: float = 0.0) -> None:  # fmt: skip
        """The next `times` calls of `method` answer with this failure ("*" matches any method)."""
        with self._lock:
            self._failures.append(Failure(method, status, retry_after, error, times, delay))

    def on(self, method: str, handler: Callable[[Call], dict]) -> None:
        """Answer `method` with handler(call) instead of the default."""
        self.handlers[method] = handler

    def add_user(self, user_id: str, name: str = "", tz: str = "Europe/Amsterdam", **extra: Any) -> None:
        name = name or user_id.lower()
        self.users[user_id] = {
            "id": user_id, "name": name, "real_name": name.title(), "tz": tz,
            "profile": {"display_name": name, "real_name": name.title()}, **extra,
        }  # fmt: skip

    def add_file(self, name: str, data: bytes, *, size: int | None = None) -> str:
        """A file someone shared: files.info describes it and its url_private_download serves `data`."""
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = {
            "id": file_id, "name": name, "filetype": name.rsplit(".", 1)[-1], "size": len(data) if size is None else size,
            "url_private_download": f"{self.base}/files/{file_id}/download/{name}", "_data": data,
        }  # fmt: skip
        return file_id

    def response_url(self, key: str = "") -> str:
        return f"{self.base}/respond/{key or next(self._ids)}"

    # --- reading -------------------------------------------------------------------------------

    def of(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and all(c.params.get(k) == v for k, v in match.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:  # fmt: skip
        """Block until at least `count` matching calls were made; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"expected {count} {method} call(s), got {len(found)}; calls seen: {seen}")
                self._lock.wait(remaining)

    # --- serving -------------------------------------------------------------------------------

    def _record(self, call: Call) -> tuple[int, dict[str, str], dict]:
        with self._lock:
            failure = next((f for f in self._failures if f.method in (call.method, "*") and f.times > 0), None)
            if failure is not None:
                failure.times -= 1
                if failure.times == 0:
                    self._failures.remove(failure)
            call.params["_failed"] = failure is not None
            self.calls.append(call)
            self._lock.notify_all()
        if failure is not None:
            if failure.delay:
                time.sleep(failure.delay)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status == 200:
                return 200, headers, {"ok": False, "error": failure.error or "internal_error"}
            return (
                failure.status,
                headers,
                {"ok": False, "error": failure.error or ("ratelimited" if failure.status == 429 else "fatal_error")},
            )
        handler = self.handlers.get(call.method)
        if handler is not None:
            return 200, {}, handler(call)
        return 200, {}, self._default(call)

    def _default(self, call: Call) -> dict:
        m, p = call.method, call.params
        if m == "auth.test":
            return {"ok": True, "user_id": "UBOT", "user": "spindle", "team_id": "T1", "team": "Partos", "bot_id": "B1",
                    "url": "https://partos.example/"}  # fmt: skip
        if m == "users.info":
            user = self.users.get(p.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if m in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = p.get("ts") if m == "chat.update" else f"1700000000.{next(self._ts):06d}"
            out = {"ok": True, "channel": p.get("channel"), "ts": ts,
                   "message": {"text": p.get("text", ""), "ts": ts, "thread_ts": p.get("thread_ts")}}  # fmt: skip
            if m == "chat.postEphemeral":
                out["message_ts"] = ts
            return out
        if m == "views.publish":
            # Slack's race guard: a publish naming a hash other than the Home's current one is refused.
            with self._hash_lock:
                user = str(p.get("user_id") or "")
                current = self.home_hashes.get(user)
                if p.get("hash") and p["hash"] != current:
                    return {"ok": False, "error": "hash_conflict"}
                new_hash = self.home_hashes[user] = f"hv{next(self._ids)}"
                shown = self.home_views[user] = {**(p.get("view") or {}), "id": f"VH{user}", "hash": new_hash}
            return {"ok": True, "view": shown}
        if m in ("views.open", "views.update", "views.push"):
            view = p.get("view") or {}
            view_id = p.get("view_id") or f"V{next(self._ids):08d}"
            return {"ok": True, "view": {**view, "id": view_id, "hash": "h1"}}
        if m == "chat.getPermalink":
            ts = str(p.get("message_ts", "")).replace(".", "")
            return {"ok": True, "permalink": f"https://partos.slack.com/archives/{p.get('channel')}/p{ts}"}
        if m == "conversations.open":
            users = str(p.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if m == "files.info":
            file = self.files.get(str(p.get("file", "")))
            if file is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": {k: v for k, v in file.items() if k != "_data"}}
        if m == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if m == "files.completeUploadExternal":
            files = p.get("files")
            if isinstance(files, str):
                files = json.loads(files)
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files or []]}
        return {"ok": True}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # quiet
                pass

            def do_GET(self):
                path = urlparse(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                parts = path.split("/")  # "", "files", id, "download", name
                if len(parts) < 4 or parts[1] != "files":
                    self._send(404, {}, b"not found", "text/plain")
                    return
                file = fake.files.get(parts[2])
                status, extra, _answer = fake._record(Call("download", {"file_id": parts[2]}, headers))
                if file is None or status != 200:
                    self._send(404 if file is None else status, extra, b"", "text/plain")
                    return
                self._send(200, {}, file["_data"], "application/octet-stream")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlparse(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/api/"):
                    method = path[len("/api/") :]
                    params = _params(body, headers.get("content-type", ""), urlparse(self.path).query)
                    status, extra, answer = fake._record(Call(method, params, headers, body))
                elif path.startswith("/respond/"):
                    params = _params(body, headers.get("content-type", ""), "")
                    params["_key"] = path[len("/respond/") :]
                    status, extra, answer = fake._record(Call("response_url", params, headers, body))
                elif path.startswith("/upload/"):
                    file_id = path[len("/upload/") :]
                    fake.uploads[file_id] = body
                    status, extra, answer = fake._record(
                        Call("upload", {"file_id": file_id, "size": len(body)}, headers, body)
                    )
                    self._send(status, extra, b"OK - " + str(len(body)).encode(), "text/plain")
                    return
                else:
                    self._send(404, {}, b"not found", "text/plain")
                    return
                self._send(status, extra, json.dumps(answer).encode(), "application/json")

            def _send(self, status, extra, payload, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def _params(body: bytes, content_type: str, query: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if body:
        if "json" in content_type:
            params.update(json.loads(body.decode("utf-8")))
        else:
            params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
    for key in ("blocks", "view", "attachments", "files"):
        value = params.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params
