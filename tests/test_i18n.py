"""Languages: the catalogues are complete, their placeholders agree, and the reader's language holds."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages import pofile
from babel.messages.extract import extract_from_dir

import i18n
from handlers.ui import innovations as innovations_ui
from handlers.ui import standups as standups_ui
from handlers.ui import words
from handlers.ui.common import slack_date
from handlers.ui.delivery import problem_view
from handlers.ui.errors import describe, plain
from models.errors import Forbidden, Invalid
from models.people import reader_language
from models.vocab import DEFAULT_STANDUP_QUESTIONS, KINDS, LANGUAGES, RISK_LEVELS, RISKS, SDG_NAMES, STAGES
from services.standups.messages import AnswerForm, QuestionsForm, QuestionsSaved

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "i18n" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extracted() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds now, in the code as it is (not the committed .pot)."""
    found: set[str] = set()
    for folder in ("handlers", "exports", "i18n"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def dutch() -> dict[str, object]:
    with PO.open("rb") as f:
        catalog = pofile.read_po(f, locale="nl")
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id and not m.fuzzy}


def test_every_marked_message_has_a_dutch_translation():
    translated = {
        key for key, m in dutch().items() if m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(extracted() - translated)
    assert not missing, f"{len(missing)} messages without Dutch (run pybabel, README 'Languages'): {missing[:10]}"


def test_translations_keep_their_placeholders():
    wrong = []
    for key, message in dutch().items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(key)):
                wrong.append(key)
    assert not wrong, f"placeholders differ in: {wrong[:10]}"


def test_speaking_sets_and_restores_the_language():
    assert i18n.current() == "en"
    with i18n.speaking("nl-NL"):
        assert i18n.current() == "nl"
        with i18n.speaking("fr"):  # an unknown language keeps the current one
            assert i18n.current() == "nl"
        with i18n.speaking(None):
            assert i18n.current() == "nl"
    assert i18n.current() == "en"


def test_dates_times_and_numbers_are_written_the_language_s_way():
    monday = datetime(2026, 12, 7, 9, 30)
    assert (i18n.day(monday), i18n.clock(monday), i18n.number(1234)) == ("Mon 7 Dec", "09:30", "1,234")
    with i18n.speaking("nl"):
        assert i18n.day(date(2026, 12, 7)).startswith("ma 7 dec")
        assert (i18n.clock(monday), i18n.number(1234), i18n.weekday(6, short=False)) == ("09:30", "1.234", "zondag")


def test_a_member_reads_their_choice_then_their_slack_locale_then_the_default():
    assert reader_language("en", "nl-NL", "nl") == "en"
    assert reader_language(None, "nl-BE", "en") == "nl"
    assert reader_language(None, "en-GB", "nl") == "nl"
    assert reader_language(None, None, "en") == "en"
    assert reader_language("fr", None, "en") == "en"


# --- extraction coverage: every word of handlers/ui is marked for translation ---------------------

MARKERS = {"_", "n_", "N_"}
EMOJI = re.compile(r":[a-z0-9_+-]+:")
# Names are the same in every language: the product's, and each language's in itself (the menu).
NAMES = {"Spindle Bot", "English", "Nederlands"}


def reads_as_words(text: str) -> bool:
    """A phrase (letters and a space) or one capitalised word (`Save`): what a person reads.

    Identifiers (`plain_text`, `standup_answer`), markup (`*{title}*`, `• `) and emoji codes
    (`:sunrise: `) are not words."""
    text = EMOJI.sub("", PLACEHOLDER.sub("", text)).strip()
    if not re.search(r"[A-Za-z]{2}", text):
        return False
    return " " in text or bool(re.fullmatch(r"[A-Z][a-z]+[.!?…]?", text))


def _exempt(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside `_()`/`n_()`/`N_()`, or where no person reads it: a docstring, a logging call, an
    exception raised for a bug (people read the catch-all's words), a dict key."""
    child, parent = node, parents.get(node)
    if isinstance(parent, ast.Expr) and isinstance(
        parents.get(parent), (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)
    ):
        return True  # a string statement is a docstring (or dead): nobody is shown it
    while parent is not None:
        if isinstance(parent, ast.Dict) and child in parent.keys:
            return True
        if isinstance(parent, ast.Raise):
            return True
        if isinstance(parent, ast.Call):
            func = parent.func
            if isinstance(func, ast.Name) and func.id in MARKERS:
                return True
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in {"log", "logging"}
            ):
                return True
        child, parent = parent, parents.get(parent)
    return False


def unmarked(source: str, name: str = "<source>") -> list[str]:
    """The string literals of a module that read as words and are not marked for translation."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return [
        f"{name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and reads_as_words(node.value)
        and node.value not in NAMES
        and not _exempt(node, parents)
    ]


def test_every_word_in_handlers_ui_is_marked_for_translation():
    scanned = sorted((ROOT / "handlers" / "ui").glob("*.py"))
    assert len(scanned) > 10  # the scan reads the modules (a broken glob would pass vacuously)
    found = [line for path in scanned for line in unmarked(path.read_text(), path.name)]
    assert not found, "words people read, not marked with _()/n_()/N_():\n" + "\n".join(found)


def test_the_coverage_scan_finds_an_unmarked_word():
    source = '''
"""A docstring is not shown."""
import logging
log = logging.getLogger(__name__)
TITLE = N_("Log an innovation")
def reply(handle):
    """Nor is this one."""
    log.info("a log line with words")
    blocks = {"type": "plain_text", "text": _("Saved {handle}").format(handle=handle), "action_id": "log_it"}
    emoji = ":sunrise: " + f"*{handle}*"
    if not handle:
        raise ValueError("no handle given")
    return f"Welcome to `{handle}`!", "Cancel", blocks, emoji
'''
    assert sorted(unmarked(source)) == ["<source>:13: 'Cancel'", "<source>:13: 'Welcome to `'"]


def test_the_word_map_covers_every_value_of_the_domain():
    assert list(words.STAGE_WORDS) == list(STAGES)
    assert list(words.KIND_WORDS) == list(KINDS)
    assert list(words.LEVEL_WORDS) == list(RISK_LEVELS)
    assert list(words.RISK_NAMES) == list(words.RISK_LABELS) == [field for field, _label in RISKS]
    assert words.SDG_WORDS == SDG_NAMES  # the English names the import reads are the msgids
    assert tuple(standups_ui.DEFAULT_QUESTIONS) == DEFAULT_STANDUP_QUESTIONS
    with i18n.speaking("nl"):
        assert [words.stage(s) for s in STAGES] == [
            "idee", "verkennen", "pilot", "opschalen", "ingevoerd", "geparkeerd", "gestopt",
        ]  # fmt: skip
        assert words.risk_label("civic_space_risk") == "Risico maatschappelijke ruimte"
        assert words.stage("someday") == "someday"  # a value the map does not know is shown as it is


def test_modal_titles_and_buttons_fit_slack_in_both_languages():
    """slack_sdk's View.to_dict() refuses a title over 24 characters (and buttons over 24)."""
    due = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    for language in LANGUAGES:
        with i18n.speaking(language):
            views = [
                innovations_ui.modal(["data-ethics"]),
                innovations_ui.modal(["data-ethics"], ref=123456),
                standups_ui.answer_modal(AnswerForm("data-ethics", due, "Europe/Amsterdam", ("Q?",), (), 1)),
                standups_ui.questions_modal(QuestionsForm("data-ethics", 1, DEFAULT_STANDUP_QUESTIONS)),
                standups_ui.questions_saved_modal(QuestionsSaved("data-ethics", ("Q?",))),
                problem_view("Nope."),
            ]
            for view in views:
                for key in ("title", "submit", "close"):
                    if key in view:
                        assert len(view[key]["text"]) <= 24, (language, view[key]["text"])


def test_errors_are_described_in_the_reader_s_language_with_values_as_typed():
    refused = Forbidden("people.coordinators_only", doing="register.export")
    unknown = Invalid("innovation.stage_unknown")
    with i18n.speaking("nl"):
        assert describe(refused).startswith("Alleen coördinatoren mogen het register exporteren.")
        assert plain(refused).startswith("Alleen coördinatoren mogen het register exporteren.")
        assert describe(unknown) == "Stadium moet een van deze zijn: " + ", ".join(STAGES) + "."
    assert describe(unknown) == "Stage must be one of: " + ", ".join(STAGES) + "."


def test_dates_people_read_are_babel_s():
    due = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    with i18n.speaking("nl"):
        assert standups_ui.run_day(due, "Europe/Amsterdam").startswith("ma 7 dec")
        assert standups_ui.days_text("mon,wed,fri") == "ma, wo, vr"
        assert "<!date^" in slack_date(due, "Europe/Amsterdam")  # Slack writes the date itself
        assert slack_date(due, "Europe/Amsterdam").endswith("|ma 7 dec 2026 09:30>")
    assert standups_ui.days_text("mon,wed,fri") == "Mon, Wed, Fri"
