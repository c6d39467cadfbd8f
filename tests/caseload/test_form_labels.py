"""Labels match behaviour: "(optional)" comes from a field's ``required``, in one place
(``optional_mark`` in includes/form_field.html), never from the text of a label."""

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]
FORM_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in ROOT.glob("*/forms.py")
    if (path.parent / "__init__.py").exists() and path.parent.name != "tests"
)


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                found.append(cls)
    return found


FORM_CLASSES = _form_classes()


def test_the_walk_finds_the_forms_of_every_app_with_forms():
    apps = {cls.__module__.split(".")[0] for cls in FORM_CLASSES}

    assert {"cases", "notes", "priorities", "reviews", "accounts", "notifications"} <= apps
    assert len(FORM_CLASSES) > 25


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_label_says_optional_by_itself(form_class):
    wrong = []
    for name, field in form_class.base_fields.items():
        label = str(field.label or name).casefold()
        hint = str(field.help_text or "").casefold()
        if "optional" in label:
            wrong.append(f"{name}: the label says optional; the page adds it when not required")
        if field.required and "optional" in hint:
            wrong.append(f"{name}: required, but its hint says optional")
    assert not wrong


class _Example(forms.Form):
    wanted = forms.CharField(label="Wanted")
    spare = forms.CharField(label="Spare", required=False)
    pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, label="Pick")
    extras = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False, label="Extras"
    )
    agree = forms.BooleanField(required=False, label="Agree")


def _label_of(name: str) -> str:
    html = render_to_string("includes/form_field.html", {"field": _Example()[name]})
    tag = "legend" if "<legend" in html else "label"
    return html.split(f"<{tag}")[1].split(f"</{tag}>")[0]


@pytest.mark.parametrize(
    ("name", "marked"),
    [("wanted", False), ("spare", True), ("pick", False), ("extras", True), ("agree", False)],
)
def test_the_field_include_marks_exactly_the_fields_that_may_be_left_empty(name, marked):
    assert ("(optional)" in _label_of(name)) is marked
