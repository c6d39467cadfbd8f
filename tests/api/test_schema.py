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
