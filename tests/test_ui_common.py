"""Block Kit helpers keep every message within Slack's limits."""

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.ui.common import escape, line_sections, shorten


@given(st.lists(st.text(max_size=4000), max_size=300), st.integers(min_value=2, max_value=50))
@settings(max_examples=150, deadline=None)
def test_line_sections_never_exceed_the_limits(lines, max_blocks):
    blocks = line_sections(lines, max_blocks)
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


def test_overflow_is_counted():
    blocks = line_sections(["x" * 2000] * 10, max_blocks=4)
    assert len(blocks) == 4
    assert blocks[-1]["elements"][0]["text"] == "…and 7 more."


def test_escape_and_shorten():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert shorten("a  b\nc", 10) == "a b c"
    assert shorten("x" * 20, 10) == "x" * 9 + "…"
