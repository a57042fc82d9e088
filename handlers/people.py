"""Members and coordinators: org, language, coordinator add/remove/list; the Slack profile after the ack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.grammar import UsageError
from handlers.home import publish_after, tell
from handlers.registry import Family, Subcommand
from handlers.ui import people as ui
from handlers.ui.errors import describe
from i18n import N_, _
from models.errors import DomainError
from services import home, people
from services.actor import Actor

log = logging.getLogger(__name__)


LANGUAGE_ACTION = "home_language"  # the Home tab's language menu (its options' values: en, nl)


def register(app: App, deps: Deps) -> None:
    @app.action(LANGUAGE_ACTION)
    def language_chosen(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()  # the choice is stored and the Home published again after it
        user = (body.get("user") or {}).get("id") or ""
        value = str((action.get("selected_option") or {}).get("value") or "")
        if not user:
            return
        try:
            result = people.set_language(deps.uow, Actor(user), value)
        except DomainError as exc:  # a refused click changes nothing; on the Home tab it says why in a modal
            tell(client, body, describe(exc))
            return
        if result.profile_missing:
            people.refresh_profile(deps.uow, deps.messenger, Actor(user))
        publish_after(deps, user, body)


def actor(ctx: CommandContext) -> Actor:
    return Actor(ctx.user_id, ctx.user_name)


def refresh_quietly(deps: Deps, who: Actor) -> None:
    """After the ack, the Slack profile of a member we lack it for (once per member)."""
    try:
        people.refresh_profile(deps.uow, deps.messenger, who)
    except Exception as exc:  # a profile is nice to have; it must never break what was done
        log.warning("profile refresh failed", extra={"user": who.user_id, "error": type(exc).__name__})


def refresh_profile_after(ctx: CommandContext) -> Callable[[], None]:
    """The work after the ack for a member whose Slack profile we lack (once per member)."""
    return partial(refresh_quietly, ctx.deps, actor(ctx))


def refresh_profile(ctx: CommandContext) -> None:
    """After the ack: the member's name and time zone from Slack, once (services/people.py)."""
    people.refresh_profile(ctx.deps.uow, ctx.deps.messenger, actor(ctx))


def reply(ctx: CommandContext, result: people.ActorResult, text: str, blocks: list[dict] | None = None) -> Reply:
    """A command's answer, fetching the actor's profile after the ack if the service says it is missing."""
    return Reply(text, blocks, after=refresh_profile_after(ctx) if result.profile_missing else None)


def set_org(ctx: CommandContext, cmd: SetOrg) -> Reply:
    result = people.set_organisation(ctx.deps.uow, actor(ctx), cmd.organisation)
    return reply(ctx, result, ui.organisation_set(result))


def language(ctx: CommandContext, cmd: SetLanguage | ShowLanguage) -> Reply:
    if isinstance(cmd, ShowLanguage):
        shown = people.language_of(ctx.deps.uow, actor(ctx))
        return reply(ctx, shown, ui.language_shown(shown))
    result = people.set_language(ctx.deps.uow, actor(ctx), cmd.language)
    refresh = refresh_profile_after(ctx) if result.profile_missing else None

    def after() -> None:  # the Home tab, too, is in the new language from now on
        if refresh is not None:
            refresh()
        home.publish_home(ctx.deps.uow, ctx.deps.messenger, ctx.user_id)

    return Reply(ui.language_set(result), after=after)


def coordinator_add(ctx: CommandContext, cmd: CoordinatorAdd) -> Reply:
    result = people.add_coordinator(ctx.deps.uow, actor(ctx), cmd.user_id)
    return reply(ctx, result, ui.coordinator_added(result))


def coordinator_remove(ctx: CommandContext, cmd: CoordinatorRemove) -> Reply:
    result = people.remove_coordinator(ctx.deps.uow, actor(ctx), cmd.user_id)
    return reply(ctx, result, ui.coordinator_removed(result))


def coordinator_list(ctx: CommandContext, cmd: CoordinatorList) -> Reply:
    result = people.list_coordinators(ctx.deps.uow, actor(ctx))
    return reply(ctx, result, ui.coordinators(result))


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class SetOrg:
    organisation: str


@dataclass(frozen=True)
class SetLanguage:
    language: str  # as typed: the domain checks it (models.people.checked_language)


@dataclass(frozen=True)
class ShowLanguage:
    pass


@dataclass(frozen=True)
class CoordinatorAdd:
    user_id: str


@dataclass(frozen=True)
class CoordinatorRemove:
    user_id: str


@dataclass(frozen=True)
class CoordinatorList:
    pass


def _parse_org(tail: str) -> SetOrg:
    organisation = " ".join(tail.split())
    if not organisation:
        raise UsageError(_("Name your organisation."))
    if len(organisation) > 120:
        raise UsageError(
            _("That organisation name is {length} characters; 120 is the most.").format(length=len(organisation))
        )
    return SetOrg(organisation)


def _parse_language(tail: str) -> SetLanguage | ShowLanguage:
    words = tail.split()
    if not words:
        return ShowLanguage()
    if len(words) > 1:
        raise UsageError(_("Give one language: `en` or `nl`."))
    return SetLanguage(words[0])


def _parse_add(tail: str) -> CoordinatorAdd:
    return CoordinatorAdd(g.mention(g.one(tail.split(), _("@person"))))


def _parse_remove(tail: str) -> CoordinatorRemove:
    return CoordinatorRemove(g.mention(g.one(tail.split(), _("@person"))))


def _parse_list(tail: str) -> CoordinatorList:
    g.nothing(tail.split(), "coordinator list")
    return CoordinatorList()


FAMILY = Family(
    "coordinator",
    missing=N_("Say {subs}."),
    unknown=N_("`coordinator {word}` is not a coordinator command."),
    usage_of="coordinator list",
    aliases=("coordinators",),
)
COMMANDS = (
    Subcommand(
        ("org",), N_("/spindle org ORGANISATION"), N_("set your organisation"), _parse_org, set_org, N_("Action groups")
    ),
    Subcommand(
        ("language",),
        "/spindle language nl|en",
        N_("your language: Dutch or English (also `taal`)"),
        _parse_language,
        language,
        "Action groups",
    ),
    Subcommand(
        ("coordinator", "add"),
        N_("/spindle coordinator add @person"),
        N_("make someone a coordinator"),
        _parse_add,
        coordinator_add,
        "",
        coordinator=True,
    ),
    Subcommand(
        ("coordinator", "remove"),
        N_("/spindle coordinator remove @person"),
        "",
        _parse_remove,
        coordinator_remove,
        "",
        coordinator=True,
    ),
    Subcommand(
        ("coordinator", "list"),
        N_("/spindle coordinator list"),
        N_("who the coordinators are"),
        _parse_list,
        coordinator_list,
        "",
        coordinator=True,
    ),
)
