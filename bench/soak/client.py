"""The soak's client: signed requests into the web process, as Slack sends them (see tests/slackdriver.py)."""

from __future__ import annotations

import itertools
import json
import random
import time
from dataclasses import dataclass
from http import client as http_client
from urllib.parse import urlencode

from tests.slackdriver import sign

HTTP_TIMEOUT = 10.0


@dataclass
class Result:
    status: int  # 0: no HTTP response (connection error or timeout)
    body: bytes
    latency: float

    @property
    def json(self) -> dict:
        try:
            data = json.loads(self.body.decode() or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def text(self) -> str:
        data = self.json
        parts = [str(data.get("text") or "")]

        def walk(node) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(data.get("blocks") or [])
        return "\n".join(parts)


class Bot:
    """Signed requests into the web process, as Slack sends them (see tests/slackdriver.py)."""

    def __init__(self, port: int, slack_base: str) -> None:
        self.port = port
        self.slack_base = slack_base
        self._ids = itertools.count(1)

    def post(self, body: bytes, content_type: str) -> Result:
        headers = {"Content-Type": content_type, **sign(body)}
        started = time.perf_counter()
        # A fresh connection per request, as Slack's deliveries are independent requests.
        conn = http_client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("POST", "/slack/events", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
        except (OSError, http_client.HTTPException):
            data, status = b"", 0
        finally:
            conn.close()
        return Result(status, data, time.perf_counter() - started)

    def command(self, user: str, text: str, channel: str = "CSKGENERAL") -> Result:
        n = next(self._ids)
        fields = {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "partos",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/spindle",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": f"{self.slack_base}/respond/c{n}",
            "trigger_id": f"soak-trigger-{n}",
        }
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict) -> Result:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def click_answer(self, user: str, prompt_id: int, dm_channel: str, message_ts: str) -> Result:
        n = next(self._ids)
        return self.interactive(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": user, "username": user.lower()},
                "api_app_id": "A1",
                "trigger_id": f"soak-trigger-{n}",
                "actions": [
                    {
                        "action_id": "standup_answer",
                        "block_id": "standup_prompt",
                        "value": str(prompt_id),
                        "type": "button",
                        "action_ts": str(time.time()),
                    }
                ],
                "channel": {"id": dm_channel},
                "container": {"type": "message", "message_ts": message_ts, "channel_id": dm_channel},
                "message": {"ts": message_ts, "text": ""},
                "response_url": f"{self.slack_base}/respond/a{n}",
            }
        )

    def submit(self, user: str, callback_id: str, values: dict, private_metadata: str, view_n: int = 0) -> Result:
        """A view_submission; the same `view_n` means the same view (a double-clicked submit button)."""
        n = view_n or next(self._ids)
        return self.interactive(
            {
                "type": "view_submission",
                "team": {"id": "T1"},
                "user": {"id": user, "username": user.lower()},
                "api_app_id": "A1",
                "trigger_id": f"soak-trigger-{n}",
                "view": {
                    "id": f"VSOAK{n:08d}",
                    "hash": f"h{n}",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": values},
                },
            }
        )


def _text_value(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def _selected(value: str) -> dict:
    option = {"value": value, "text": {"type": "plain_text", "text": value}}
    return {"value": {"type": "static_select", "selected_option": option}}


def innovation_values(handle: str, title: str, rng: random.Random) -> dict:
    """state.values of the log modal (handlers/ui/innovations.py: block id = field, action id `value`)."""
    sdgs = [{"value": str(n), "text": {"type": "plain_text", "text": str(n)}} for n in rng.sample(range(1, 18), 2)]
    return {
        "group": _selected(handle),
        "title": _text_value(title),
        "kind": _selected(rng.choice(("instrument", "way-of-working", "strategy"))),
        "stage": _selected(rng.choice(("idea", "exploring", "piloting"))),
        "stage_note": _text_value(""),
        "summary": _text_value(f"Soak summary for {title}: what we explore, and why it matters."),
        "link": _text_value("https://partos.example/soak"),
        "organisations": _text_value("Cordaid, Oxfam Novib"),
        "sdgs": {"value": {"type": "multi_static_select", "selected_options": sdgs}},
        "tags": _text_value("soak, load"),
        "privacy_risk": _selected(rng.choice(("low", "medium", "high", "not-assessed"))),
        "civic_space_risk": _selected("not-assessed"),
        "manipulation_risk": _selected("low"),
        "safeguards": _text_value(""),
    }


def answer_values(token: str) -> dict:
    """state.values of the stand-up answer modal (handlers/ui/standups.py: blocks q0…, action `answer`)."""
    return {
        "q0": {"answer": {"type": "plain_text_input", "value": f"Explored {token} with partners."}},
        "q1": {"answer": {"type": "plain_text_input", "value": "A pilot with two organisations."}},
        "q2": {"answer": {"type": "plain_text_input", "value": "none"}},
    }
