"""Templates must allow a strict Content-Security-Policy and load nothing from elsewhere."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates").rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 5


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_has_no_inline_script_style_or_handler(template):
    html = template.read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\sstyle\s*=", html), "style= attribute"
    assert "<style" not in html, "<style> element"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_loads_no_asset_from_another_site(template):
    html = template.read_text()

    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
