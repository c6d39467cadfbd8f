"""The API's documentation page: Swagger UI from Caseload's own files, under our CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_ui_from_caseload_with_no_inline_script(alice):
    response = client_for(alice).get(reverse("api:docs"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert "/static/js/api-docs.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
    assert f'data-schema-url="{reverse("api:schema")}"' in html


def test_the_docs_page_keeps_the_strict_content_security_policy(alice):
    policy = client_for(alice).get(reverse("api:docs"))["Content-Security-Policy"]

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"


def test_the_docs_page_sends_someone_not_signed_in_to_sign_in():
    response = Client().get(reverse("api:docs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_is_open_to_every_signed_in_person(dina):
    assert client_for(dina).get(reverse("api:docs")).status_code == 200
