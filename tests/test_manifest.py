"""manifest.yml asks for exactly the scopes the code needs: least privilege, checked against the calls.

The calls are found by a static scan of the code (every attribute access named like a slack_sdk
WebClient method, whatever the variable is called), not from the fake Slack's record: a scan sees
every call site, including error paths and scheduled work that a test run may not reach, and it
does not depend on which tests ran before. A second test drives the bot through the fake Slack and
checks that the scan saw every method the bot really called, so the scan cannot go blind (a call
through Bolt's `say`, or `api_call("…")`, would show up there first).
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml
from slack_sdk import WebClient

from tests.conftest import COORDINATOR

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bot", "handlers", "services", "models", "exports")

# Slack's documented scopes for each Web API method the bot calls (bot token). A method missing
# here fails the test: look its scopes up on api.slack.com/methods and add it.
API_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write", "chat:write.public"}),  # .public: channels it has not joined
    "chat.update": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),
    "conversations.open": frozenset({"im:write"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "files.info": frozenset({"files:read"}),  # and the file's url_private_download, with the bot token
    "users.info": frozenset({"users:read"}),
    "views.open": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "views.publish": frozenset(),
}
# slack_sdk helpers that call more than one method, or a method of another name.
SDK_HELPERS = {"files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}
EVENT_SCOPES = {"app_home_opened": frozenset(), "message.im": frozenset({"im:history"})}
# Calls Bolt itself makes with the bot token, whatever our code does.
BOLT_CALLS = ("auth.test",)


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def web_client_methods() -> set[str]:
    return {name for name in dir(WebClient) if not name.startswith("_") and callable(getattr(WebClient, name))}


def called_api_methods() -> dict[str, set[str]]:
    """API method → the files that call it, from every `<anything>.<WebClient method>` in the code."""
    sdk = web_client_methods()
    found: dict[str, set[str]] = {}
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                methods: tuple[str, ...] = ()
                if isinstance(node, ast.Attribute) and node.attr in sdk and node.attr not in ("api_call",):
                    methods = SDK_HELPERS.get(node.attr) or (node.attr.replace("_", "."),)
                elif (
                    isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "api_call"
                ):
                    if node.args and isinstance(node.args[0], ast.Constant):
                        methods = (str(node.args[0].value),)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
                    methods = ("chat.postMessage",)  # Bolt's say()
                for method in methods:
                    found.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    for method in BOLT_CALLS:
        found.setdefault(method, set()).add("slack_bolt")
    return found


def needed_scopes() -> dict[str, set[str]]:
    """scope → why (the methods, events and features that need it)."""
    m = manifest()
    why: dict[str, set[str]] = {}
    unknown = []
    for method in called_api_methods():
        if method not in API_SCOPES:
            unknown.append(method)
        for scope in API_SCOPES.get(method, ()):
            why.setdefault(scope, set()).add(method)
    for event in m["settings"]["event_subscriptions"]["bot_events"]:
        assert event in EVENT_SCOPES, f"add the scope of the {event} event to EVENT_SCOPES"
        for scope in EVENT_SCOPES[event]:
            why.setdefault(scope, set()).add(f"event {event}")
    if m["features"].get("slash_commands") or m["features"].get("shortcuts"):
        why.setdefault("commands", set()).add("slash command and shortcut")
    assert not unknown, f"the code calls {sorted(unknown)}: add their scopes to API_SCOPES"
    return why


def test_every_scope_is_needed_and_every_need_is_granted():
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    needed = needed_scopes()
    unused = granted - set(needed)
    missing = {scope: sorted(why) for scope, why in needed.items() if scope not in granted}
    assert not unused, f"manifest.yml asks for scopes nothing needs: {sorted(unused)}"
    assert not missing, f"manifest.yml lacks scopes the code needs: {missing}"


def test_the_scan_finds_the_calls_it_should():
    """The scan is not vacuous: it sees known call sites, and `channels:read`/`groups:read` have
    no call that needs them (the issue's finding)."""
    calls = called_api_methods()
    assert {"chat.postMessage", "views.open", "users.info", "files.getUploadURLExternal"} <= set(calls)
    assert "handlers/messages.py" in calls["chat.postMessage"]
    assert not {"conversations.info", "conversations.list", "conversations.members"} & set(calls)
    needed = needed_scopes()
    assert needed["im:history"] == {"event message.im"}
    assert not {"channels:read", "groups:read"} & set(needed)


def test_every_call_the_bot_really_makes_was_seen_by_the_scan(slack, fake_slack):
    """Driven through the fake Slack: a command, the form, a card, the register, the Home tab, a
    direct message. Every Web API method the bot called must be one the scan found."""
    fake_slack.add_user(COORDINATOR, "coord")
    slack.command("group new data-ethics Data ethics", user=COORDINATOR)
    slack.command("group join data-ethics", user=COORDINATOR)
    slack.command("group channel data-ethics", user=COORDINATOR, channel="CETHICS")
    slack.command("log data-ethics Consent chatbot", user=COORDINATOR)
    slack.command("log", user=COORDINATOR)
    slack.command("export", user=COORDINATOR)
    slack.event({"type": "app_home_opened", "user": COORDINATOR, "tab": "home"}, event_id="EvScanHome")
    slack.event({"type": "message", "channel": "DU1", "channel_type": "im", "user": COORDINATOR, "text": "hi",
                 "ts": "1700000001.000200"}, event_id="EvScanDm")  # fmt: skip
    slack.wait_idle()
    real = {c.method for c in fake_slack.calls} - {"response_url", "upload"}
    assert {"chat.postMessage", "views.open", "views.publish", "users.info", "conversations.open"} <= real
    assert real <= set(called_api_methods()), (
        f"called but not found by the scan: {sorted(real - set(called_api_methods()))}"
    )


def test_socket_mode_is_a_manifest_switch_and_the_events_match_the_listeners():
    m = manifest()
    assert m["settings"]["socket_mode_enabled"] is False  # README: set it to true for Socket Mode
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert m["features"]["slash_commands"][0]["should_escape"] is True
