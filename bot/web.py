"""The WSGI application: Slack's requests at /slack/events and a health check at /healthz."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context

from models.db import Database

log = logging.getLogger(__name__)

# Slack's largest payloads (a view submission with long inputs) are tens of kilobytes.
MAX_BODY_BYTES = 512 * 1024
STAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"v0=[0-9a-fA-F]{1,128}")


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI handler, but a slash command whose text says "payload" stays a command.

    Bolt reads any form body with the word `payload` anywhere in it as an interaction and finds
    no `payload` field in it (`/spindle note INN-3 the payload…` would be a 404); such a form is
    read as the plain form it is.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        bolt_request = BoltRequest(body=request.get_body(), query=request.query_string, headers=request.get_headers())
        if not bolt_request.body and "payload" in bolt_request.raw_body:
            form = dict(parse_qsl(bolt_request.raw_body, keep_blank_values=True))
            if "payload" not in form:
                bolt_request.body = form
                bolt_request.context = build_context(BoltContext({}), form)
        return self.app.dispatch(bolt_request)


class SpindleWSGI:
    def __init__(self, app: App, db: Database, path: str = "/slack/events"):
        self.slack = _SlackHandler(app, path=path)
        self.db = db
        self.path = path

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == self.path:
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only")
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                log.warning("request refused: body too large", extra={"length": length})
                return _plain(start_response, "413 Content Too Large", "request body too large")
            if not _well_formed_signature(environ):
                # Bolt's verifier raises (500) on a non-numeric stamp or a non-ASCII signature.
                log.warning("request refused: malformed signature headers")
                return _plain(start_response, "401 Unauthorized", "invalid request signature")
            return self.slack(environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    def _health(self, start_response) -> Iterable[bytes]:
        ok = self.db.ping()
        body = json.dumps({"status": "ok" if ok else "unavailable", "database": "ok" if ok else "down"}).encode()
        status = "200 OK" if ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _well_formed_signature(environ: dict) -> bool:
    """Absent headers are Bolt's to refuse; present ones must look like Slack's, or it would crash."""
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if stamp is not None and not STAMP_RE.fullmatch(stamp):
        return False
    return signature is None or SIGNATURE_RE.fullmatch(signature) is not None


def _plain(start_response, status: str, text: str) -> Iterable[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
