"""Which function executes which parsed `/spindle` command.

Each feature module decorates its executors with `@executes(CommandType)`; the `/spindle`
listener (handlers/commands.py) parses, opens one transaction and calls the executor.
An executor gets (session, member, command, ctx) and returns a `Reply`.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.deps import CommandContext, Reply

Executor = Callable[..., Reply]
EXECUTORS: dict[type, Executor] = {}
# New-style executors, (ctx, command) -> Reply, that call one service and open no session.
# TRANSITION (issue 9): features move from @executes to @runs; then the registry replaces both.
RUNNERS: dict[type, Executor] = {}


def runs(*command_types: type) -> Callable[[Executor], Executor]:
    def decorate(fn: Executor) -> Executor:
        for command_type in command_types:
            if command_type in RUNNERS or command_type in EXECUTORS:
                raise RuntimeError(f"{command_type.__name__} has two executors")
            RUNNERS[command_type] = fn
        return fn

    return decorate


def executes(*command_types: type) -> Callable[[Executor], Executor]:
    def decorate(fn: Executor) -> Executor:
        for command_type in command_types:
            if command_type in EXECUTORS:
                raise RuntimeError(f"{command_type.__name__} has two executors")
            EXECUTORS[command_type] = fn
        return fn

    return decorate


__all__ = ["EXECUTORS", "RUNNERS", "CommandContext", "Reply", "executes", "runs"]
