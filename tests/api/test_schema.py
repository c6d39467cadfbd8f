"""The API's OpenAPI 3 schema."""

from __future__ import annotations

import pytest
import yaml
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_is_an_openapi_3_document_named_after_caseload():
    response = Client().get(reverse("api:schema"))

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Caseload API"


@pytest.mark.parametrize("path", ["/api/v1/cases/-1/", "/api/v1/nothing/", "/api/nothing/"])
def test_an_address_under_the_api_that_names_no_endpoint_is_a_404_problem_not_a_page(path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_the_schema_validates_with_no_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert yaml.safe_load((tmp_path / "s.yml").read_text())["paths"]
