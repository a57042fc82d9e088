"""The Messenger port (services/ports.py) over slack-sdk: renders service messages, calls the Web API.

slack-sdk's retry handlers already wait out a 429's Retry-After and retry connection and server
errors (bot/app.py); what still fails becomes a `MessengerError`, transient or not, so services
never see slack-sdk types. A `Pacer` (optional) spaces out posts for the stand-up fan-out.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.ui.render import render, render_home
from services.ports import MAX_DOWNLOAD, MessengerError, Posted, Profile

log = logging.getLogger(__name__)

# Slack errors worth retrying later; anything else about one message is permanent.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"}
)


class Pacer:
    """Spaces out chat.postMessage calls: ~1 a second per channel, and a workspace-wide budget.

    Slots are reserved under a lock and slept for outside it, so concurrent fan-outs in one
    process share the budget fairly. The clock and sleep are injectable (tests, the benchmark).
    """

    def __init__(
        self,
        per_channel_seconds: float = 1.0,
        per_minute: int = 300,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.per_channel = per_channel_seconds
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_any = 0.0
        self._next_channel: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Block until a message to `channel` fits both limits; returns the seconds waited."""
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_any, self._next_channel.get(channel, 0.0))
            self._next_any = slot + self.interval
            self._next_channel[channel] = slot + self.per_channel
            if len(self._next_channel) > 5000:  # forget channels whose pause is long over
                self._next_channel = {c: t for c, t in self._next_channel.items() if t > now}
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)


def error_name(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code or "slack_error")
    return type(exc).__name__


def as_messenger_error(exc: Exception) -> MessengerError:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        transient = status == 429 or status >= 500 or exc.response.get("error") in TRANSIENT_ERRORS
    else:
        transient = True  # connection errors and timeouts: try again later
    return MessengerError(error_name(exc), transient=transient)


class SlackMessenger:
    def __init__(self, client: WebClient, pacer: Pacer | None = None):
        self.client = client
        self.pacer = pacer

    def _call(self, fn: Callable[..., Any], pace: str | None, /, **kwargs: Any) -> Any:
        """`fn(**kwargs)`, after waiting for the pacer's slot for channel `pace` (None: not paced)."""
        if self.pacer is not None and pace:
            self.pacer.wait(pace)
        try:
            return fn(**kwargs)
        except Exception as exc:
            raise as_messenger_error(exc) from exc

    def post(self, channel: str, message: object, *, thread_ts: str | None = None) -> Posted:
        text, blocks = render(message)
        resp = self._call(
            self.client.chat_postMessage,
            channel,
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
        )
        return Posted(channel=resp.get("channel") or channel, ts=resp.get("ts"))

    def update(self, channel: str, ts: str, message: object) -> None:
        text, blocks = render(message)
        self._call(self.client.chat_update, channel, channel=channel, ts=ts, text=text, blocks=blocks)

    def open_dm(self, user_id: str) -> str:
        opened = self._call(self.client.conversations_open, None, users=user_id)
        return str(opened["channel"]["id"])

    def upload(
        self, user_id: str, filename: str, file: str | bytes, message: object, *, title: str | None = None
    ) -> str | None:
        text, _blocks = render(message)
        channel = self.open_dm(user_id)
        response = self._call(
            self.client.files_upload_v2,
            None,
            channel=channel,
            file=file,
            filename=filename,
            title=title or filename,
            initial_comment=text,
        )
        uploaded: dict[str, Any] = response.get("file") or next(iter(response.get("files") or []), {})
        return uploaded.get("id")

    def publish_home(self, user_id: str, home: object, *, view_hash: str | None = None) -> str | None:
        response = self._call(self.client.views_publish, None, user_id=user_id, view=render_home(home), hash=view_hash)
        return (response.get("view") or {}).get("hash")

    def profile(self, user_id: str) -> Profile:
        info = self._call(self.client.users_info, None, user=user_id, include_locale=True)
        user = info.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        return Profile(name=name, tz=user.get("tz"), locale=user.get("locale"))

    def download(self, file_id: str) -> bytes:
        info = self._call(self.client.files_info, None, file=file_id)
        file = info.get("file") or {}
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not url.startswith(("https://", "http://")):  # never file: or another scheme
            raise MessengerError("no_download_url", transient=False)
        size = file.get("size")
        if isinstance(size, int) and size > MAX_DOWNLOAD:
            raise MessengerError("file_too_large", transient=False)
        # slack-sdk has no download call: a GET with the bot token, as Slack documents for url_private.
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.client.token}"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.client.timeout) as response:  # noqa: S310
                data = response.read(MAX_DOWNLOAD + 1)  # the size Slack said may be wrong: cap the read too
                if "text/html" in (response.headers.get("Content-Type") or ""):
                    raise MessengerError("download_refused", transient=False)  # Slack's login page, not the file
        except urllib.error.HTTPError as exc:
            raise MessengerError(f"download_http_{exc.code}", transient=exc.code == 429 or exc.code >= 500) from exc
        except (OSError, ValueError) as exc:
            raise MessengerError(type(exc).__name__, transient=True) from exc
        if len(data) > MAX_DOWNLOAD:
            raise MessengerError("file_too_large", transient=False)
        return data
