"""The app factory: the only place that wires settings, database, Slack client and listeners."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

import handlers
from bot.settings import Settings
from bot.web import SpindleWSGI
from exports.import_port import IMPORTER
from exports.register import WORKBOOK
from handlers import ratelimit
from handlers.deps import Deps
from models.clock import Clock, SystemClock
from models.db import Database
from models.people import seed_coordinators

log = logging.getLogger(__name__)


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting work in flight so a stop (or a test) can wait for it.

    Each listener runs in a copy of the submitting thread's context, so the reader's language
    that a middleware set for the request (handlers/language.py) holds in its listener too.

    Paced Slack work after an ack (a stand-up's fan-out, answers in its thread) goes to a pool of
    its own (`paced`): it waits for the pacer, seconds at a time, and in bench.soak 32 such waits
    filled this pool, so new requests could not start their listener and acked after Slack's 3 s.
    """

    def __init__(self, max_workers: int, paced_workers: int = 32):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._paced = ThreadPoolExecutor(max_workers=paced_workers, thread_name_prefix="paced")
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        return self._counted(super().submit, fn, *args, **kwargs)

    def paced(self, fn: Callable[[], object]) -> None:
        """Run `fn` in the paced pool, in this thread's context; its failure is logged, not raised."""
        self._counted(self._paced.submit, _logged, fn)

    def _counted(self, submit, fn, /, *args, **kwargs):
        with self._idle:
            self._busy += 1
        future = submit(contextvars.copy_context().run, fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self._idle:
            self._busy -= 1
            if self._busy == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self._paced.shutdown(wait=wait, cancel_futures=cancel_futures)


def _logged(fn: Callable[[], object]) -> None:
    try:
        fn()
    except Exception:
        log.exception("paced work after an ack failed")


@dataclass
class Runtime:
    settings: Settings
    app: App
    deps: Deps
    wsgi: SpindleWSGI
    executor: ListenerExecutor

    @property
    def db(self) -> Database:
        return self.deps.db


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            # Slack's 429 carries Retry-After; the handler sleeps exactly that long before retrying.
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build(settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    client = make_client(settings)
    executor = ListenerExecutor(max_workers=32)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode has no HTTP requests to verify; HTTP mode verifies every one.
        request_verification_enabled=not settings.socket_mode,
        # Listeners run after the ack in this pool; Bolt's default of 5 threads queues under load.
        listener_executor=executor,
        logger=logging.getLogger("slack_bolt"),
    )
    limiter = ratelimit.RateLimiter(rate=settings.rate_limit, per=60) if settings.rate_limit else None
    deps = Deps.build(db, clock, settings.timezone, client, WORKBOOK, limiter, IMPORTER, settings.language)
    deps.defer_paced = executor.paced
    handlers.register_all(app, deps)
    with db.transaction() as session:
        seed_coordinators(session, list(settings.coordinators), clock.now())
    return Runtime(settings=settings, app=app, deps=deps, wsgi=SpindleWSGI(app, db), executor=executor)
