"""Drives the bot the way Slack does: signed HTTP requests into POST /slack/events."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakeslack import FakeSlack, _texts

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-1111-2222-secrettokenvalue"
_trigger = itertools.count(1)


def sign(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode()) if self.body else {}

    @property
    def text(self) -> str:
        """What the person reads in the ack: text plus every text inside blocks."""
        if not self.body:
            return ""
        try:
            data = self.json
        except ValueError:
            return self.body.decode(errors="replace")
        return "\n".join([str(data.get("text") or ""), *_texts(data.get("blocks") or [])])


class SlackDriver:
    def __init__(self, app_url: str, fake: FakeSlack, wait_idle):
        self.url = app_url.rstrip("/") + "/slack/events"
        self.app_url = app_url
        self.fake = fake
        self._wait_idle = wait_idle

    # --- raw ----------------------------------------------------------------------------------

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Response:
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return Response(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read(), dict(err.headers))

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.app_url.rstrip("/") + path, timeout=10) as resp:
                return Response(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read(), dict(err.headers))

    def post_form(self, fields: dict[str, str], extra_headers: dict[str, str] | None = None) -> Response:
        body = urlencode(fields).encode()
        return self.post(body, "application/x-www-form-urlencoded", {**sign(body), **(extra_headers or {})})

    def post_json(self, payload: dict, extra_headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(payload).encode()
        return self.post(body, "application/json", {**sign(body), **(extra_headers or {})})

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until the work the bot does after its acks has finished."""
        assert self._wait_idle(timeout), "the bot's follow-up work did not finish"

    # --- what Slack sends ----------------------------------------------------------------------

    def command(self, text: str, user: str = "U1", channel: str = "C1", user_name: str | None = None,
                wait: bool = True) -> Response:  # fmt: skip
        fields = {
            "token": "legacy", "team_id": "T1", "team_domain": "partos", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user_name or user.lower(),
            "command": "/spindle", "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(), "trigger_id": f"trigger-{next(_trigger)}",
        }  # fmt: skip
        resp = self.post_form(fields)
        if wait:
            self.wait_idle()
        return resp

    def interactive(self, payload: dict, wait: bool = True, extra_headers: dict[str, str] | None = None) -> Response:
        resp = self.post_form({"payload": json.dumps(payload)}, extra_headers)
        if wait:
            self.wait_idle()
        return resp

    def block_action(self, user: str, action_id: str, value: str = "", *, block_id: str = "b",
                     channel: str | None = None, message_ts: str | None = None, container: dict | None = None,
                     view: dict | None = None, wait: bool = True) -> Response:  # fmt: skip
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
            "api_app_id": "A1", "trigger_id": f"trigger-{next(_trigger)}",
            "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                         "action_ts": str(time.time())}],
            "response_url": self.fake.response_url(),
        }  # fmt: skip
        if channel:
            payload["channel"] = {"id": channel}
        if message_ts:
            payload["message"] = {"ts": message_ts, "text": ""}
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel}
        if container:
            payload["container"] = container
        if view:
            payload["view"] = view
        return self.interactive(payload, wait)

    def click(self, user: str, blocks: list[dict], text: str, *, option: str | None = None,
              channel: str | None = None, message_ts: str | None = None, view: dict | None = None,
              picked: str | None = None, wait: bool = True,
              extra_headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        """Click what a person sees: the button whose visible text is `text`, or, with `option`, pick
        the option of that visible text from the select whose placeholder (or chosen option) is `text`;
        `picked` is a date picker's date or a user select's user.

        `blocks` are a message's or a view's blocks; from the Home tab, pass the published `view` too
        (Slack sends it with the click, and its `type` is `home`).
        """
        block, element = find_control(blocks, text)
        action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block.get("block_id", "b"),
                                  "type": element["type"], "action_ts": str(time.time())}  # fmt: skip
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        elif element["type"] == "datepicker" and picked is not None:  # `picked`: "YYYY-MM-DD"
            action["selected_date"] = picked
        elif element["type"] == "users_select" and picked is not None:  # `picked`: a user id
            action["selected_user"] = picked
        elif option is not None:
            choices = [o for group in element.get("option_groups", [{"options": element.get("options", [])}])
                       for o in group["options"]]  # fmt: skip
            chosen = [o for o in choices if o["text"]["text"] == option]
            assert chosen, f"no option {option!r} in {text!r}: {[o['text']['text'] for o in choices]}"
            action["selected_option"] = chosen[0]
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
            "api_app_id": "A1", "trigger_id": f"trigger-{next(_trigger)}", "actions": [action],
            "response_url": self.fake.response_url(),
        }  # fmt: skip
        if channel:
            payload["channel"] = {"id": channel}
        if message_ts:
            payload["message"] = {"ts": message_ts, "text": "", "blocks": blocks}
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
        return self.interactive(payload, wait, extra_headers)

    def view_submission(self, user: str, callback_id: str, values: dict[str, dict[str, dict]], *,
                        private_metadata: str = "", view_id: str | None = None, view_hash: str = "h1",
                        wait: bool = True) -> Response:  # fmt: skip
        view_id = view_id or f"V{next(_trigger)}"  # every modal Slack opens has its own id
        payload = {
            "type": "view_submission", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
            "api_app_id": "A1", "trigger_id": f"trigger-{next(_trigger)}",
            "view": {"id": view_id, "hash": view_hash, "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": values}},
        }  # fmt: skip
        return self.interactive(payload, wait)

    def message_shortcut(self, user: str, callback_id: str, message: dict, channel: str = "C1",
                         wait: bool = True) -> Response:  # fmt: skip
        payload = {
            "type": "message_action", "callback_id": callback_id, "team": {"id": "T1"},
            "user": {"id": user, "username": user.lower()}, "channel": {"id": channel, "name": "general"},
            "message": message, "message_ts": message.get("ts"), "trigger_id": f"trigger-{next(_trigger)}",
            "response_url": self.fake.response_url(),
        }  # fmt: skip
        return self.interactive(payload, wait)

    def event(self, event: dict, *, event_id: str = "Ev1", retry_num: int | None = None, wait: bool = True) -> Response:
        payload = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                   "event_id": event_id, "event_time": int(time.time()), "event": event}  # fmt: skip
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        resp = self.post_json(payload, headers)
        if wait:
            self.wait_idle()
        return resp


def find_control(blocks: list[dict], text: str) -> tuple[dict, dict]:
    """(block, element) of the button with visible text `text`, or of the select whose placeholder
    or initial option reads `text`; an AssertionError listing what is there otherwise."""
    seen: list[str] = []
    for block in blocks:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if not isinstance(element, dict) or "action_id" not in element:
                continue
            words = [element.get(key, {}).get("text") for key in ("text", "placeholder")]
            words.append((element.get("initial_option") or {}).get("text", {}).get("text"))
            if text in words:
                return block, element
            seen.extend(w for w in words if w)
    raise AssertionError(f"nothing to click reads {text!r}; there is: {seen}")
