"""A recording Messenger (services/ports.py) for unit tests of services, without HTTP or Slack."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from services.ports import MessengerError, Posted, Profile


@dataclass
class Sent:
    method: str
    channel: str
    message: object
    thread_ts: str | None = None
    ts: str | None = None
    title: str | None = None  # an upload's title
    view_hash: str | None = None  # the hash a Home was published with


@dataclass
class RecordingMessenger:
    sent: list[Sent] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)
    # (method, channel) → the error to raise once, e.g. {("post", "C1"): MessengerError("ratelimited", transient=True)}
    failures: dict[tuple[str, str], MessengerError] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file id → what `download` returns
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _fail(self, method: str, channel: str) -> None:
        error = self.failures.pop((method, channel), None)
        if error is not None:
            raise error

    def post(self, channel: str, message: object, *, thread_ts: str | None = None) -> Posted:
        self._fail("post", channel)
        ts = f"1700000000.{next(self._ts):06d}"
        landed = f"D{channel[1:]}" if channel.startswith(("U", "W")) else channel
        self.sent.append(Sent("post", landed, message, thread_ts, ts))
        return Posted(channel=landed, ts=ts)

    def update(self, channel: str, ts: str, message: object) -> None:
        self._fail("update", channel)
        self.sent.append(Sent("update", channel, message, ts=ts))

    def open_dm(self, user_id: str) -> str:
        self._fail("open_dm", user_id)
        return f"D{user_id[1:]}"

    def upload(
        self, user_id: str, filename: str, file: str | bytes, message: object, *, title: str | None = None
    ) -> str | None:
        self._fail("upload", user_id)
        # A path is read now: the caller may remove its temporary file once upload returns.
        data = Path(file).read_bytes() if isinstance(file, str) else file
        self.sent.append(Sent("upload", user_id, (filename, data, message), title=title))
        return f"F{next(self._ts):06d}"

    def publish_home(self, user_id: str, home: object, *, view_hash: str | None = None) -> str | None:
        self._fail("publish_home", user_id)
        self.sent.append(Sent("publish_home", user_id, home, view_hash=view_hash))
        return f"hv{next(self._ts)}"

    def profile(self, user_id: str) -> Profile:
        self._fail("profile", user_id)
        return self.profiles.get(user_id, Profile(name=None, tz=None))

    def download(self, file_id: str) -> bytes:
        self._fail("download", file_id)
        self.sent.append(Sent("download", file_id, None))
        if file_id not in self.files:
            raise MessengerError("file_not_found", transient=False)
        return self.files[file_id]

    def of(self, method: str) -> list[Sent]:
        return [s for s in self.sent if s.method == method]
