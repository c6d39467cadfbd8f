"""Schemathesis against Caseload's own schema: every endpoint over the domain, called
with generated requests as an adviser and as a supervisor, answers no 5xx and nothing
its schema does not describe (status, content type, body).

Bounded: five examples per operation, no shrinking, so that the module runs in the
default suite. Each generated request is sent twice: as generated (ids mostly of
nothing: 404s), and with the ids of a real case of alice's, so that the endpoints'
own answers (200s, 201s, 400s from the services) are checked too.
"""

from __future__ import annotations

import json
import secrets

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import filled_case
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The endpoints this module covers: the API over the domain, read with a person's rights.
ENDPOINTS = r"^/api/v1/(clients|cases|notifications)/"


def _schema() -> schemathesis.schemas.BaseSchema:
    """The schema as /api/schema/ serves it (in JSON), loaded without a request."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    return loaded.include(path_regex=ENDPOINTS)


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called through WSGI, Django closes the database connection after each request
    (``close_old_connections``), which would end the test's transaction; the test
    client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(alice, bob, carol, dave):
    """Alice's case (carol supervises her team), and one of dave's in another team."""
    filled = filled_case(alice)
    filled_case(dave)
    return filled


@pytest.fixture(params=["alice", "carol"])
def caller(request, world) -> dict[str, dict[str, str]]:
    """Cookies and headers of a signed-in session (past the second factor) of an adviser
    or a supervisor, with a CSRF token as the site's own pages send one."""
    http = client_for(request.getfixturevalue(request.param))
    token = secrets.token_hex(16)  # 32 characters, as Django's CSRF secret
    return {
        "cookies": {"sessionid": http.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


REAL_IDS = {"action_pk": "action", "assessment_pk": "assessment"}


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_answers_as_its_schema_says(case, caller, world):
    case.call_and_validate(checks=CHECKS, **caller)
    if not case.path_parameters:
        return
    for name in case.path_parameters:
        if name == "id":
            real = world.case.client_id if case.path.startswith("/api/v1/clients/") else None
            case.path_parameters[name] = real or world.case.pk
        elif name in REAL_IDS:
            case.path_parameters[name] = getattr(world, REAL_IDS[name]).pk
    case.call_and_validate(checks=CHECKS, **caller)
