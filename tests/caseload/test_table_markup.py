"""Every table on Caseload's own pages can be read on a phone and by a screen reader.

A table sits directly in a box that scrolls when it is too wide for the screen
(``.table-responsive``), which keyboard users can reach and scroll: focusable and
named as a region. It has a caption, and each heading says what it heads. The
configuration pages (Django's admin, ``templates/admin/``) have their own layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "templates"
TEMPLATES = sorted(
    path
    for path in ROOT.rglob("*.html")
    if "<table" in path.read_text() and "admin" not in path.parts
)


@dataclass
class _Table:
    box: dict[str, str | None]  # the attributes of the element around the table
    caption: bool = False
    unscoped_headings: int = 0


class _Tables(HTMLParser):
    """Each <table> of a template, with the <div> it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.divs: list[dict[str, str | None]] = []
        self.tables: list[_Table] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables.append(_Table(box=self.divs[-1] if self.divs else {}))
        elif tag == "caption" and self.tables:
            self.tables[-1].caption = True
        elif tag == "th" and self.tables and "scope" not in found:
            self.tables[-1].unscoped_headings += 1
        elif tag == "div":
            self.divs.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.divs:
            self.divs.pop()


def _tables(template: Path) -> list[_Table]:
    parser = _Tables()
    parser.feed(template.read_text())
    return parser.tables


def test_there_are_tables_to_check():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_table_scrolls_in_a_box_keyboard_users_can_reach(template):
    tables = _tables(template)

    assert tables
    for table in tables:
        box = table.box
        assert "table-responsive" in (box.get("class") or "").split()
        assert box.get("tabindex") == "0"
        assert box.get("role") == "region"
        assert box.get("aria-label") or box.get("aria-labelledby")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_table_has_a_caption_and_every_heading_a_scope(template):
    for table in _tables(template):
        assert table.caption
        assert table.unscoped_headings == 0
