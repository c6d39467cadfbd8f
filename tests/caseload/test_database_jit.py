"""The database runs without PostgreSQL's JIT compiler (caseload migration 0009)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_new_session_on_the_database_starts_with_jit_off():
    fresh = connection.get_new_connection(connection.get_connection_params())
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    finally:
        fresh.close()
