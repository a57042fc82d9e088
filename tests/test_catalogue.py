"""The error catalogue: every code the domain and the services raise has its words, and no words live below handlers."""

from __future__ import annotations

import ast
from pathlib import Path

from handlers.ui.errors import ERRORS, describe, plain
from models.errors import Forbidden, NotFound

ROOT = Path(__file__).resolve().parent.parent
ERROR_TYPES = {"DomainError", "NotFound", "Forbidden", "Invalid", "Conflict", "Unavailable", "QuestionErrors"}


def raised_codes() -> dict[str, str]:
    """code → where, for every `Kind("code", …)` in models/ and services/, and every `doing` code."""
    found: dict[str, str] = {}
    for folder in ("models", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                first = node.args[0] if node.args else None
                if node.func.id in ERROR_TYPES and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found[first.value] = where
                if node.func.id == "require_coordinator" and len(node.args) > 1:
                    doing = node.args[1]
                    if isinstance(doing, ast.Constant) and isinstance(doing.value, str):
                        found[f"doing.{doing.value}"] = where
    return found


def test_every_code_raised_has_words():
    codes = raised_codes()
    assert len(codes) > 40  # the scan finds the raise sites (a broken scan would pass vacuously)
    missing = {code: where for code, where in codes.items() if code not in ERRORS}
    assert not missing, f"codes without words in handlers/ui/errors.py: {missing}"


def test_models_and_services_hold_no_slash_command_wording():
    offenders = []
    for folder in ("models", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/spindle" in node.value:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_the_cli_reads_the_same_sentence_without_slack_markup():
    error = NotFound("group.not_found", handle="data-ethics")
    assert describe(error) == "There is no action group `data-ethics`. `/spindle group list` shows them all."
    assert plain(error) == "There is no action group data-ethics. /spindle group list shows them all."
    refused = Forbidden("people.coordinators_only", doing="group.new")
    assert describe(refused).startswith("Only coordinators may create action groups.")
