"""The demo takes many seconds to load: each module loads it once and every test reads it.

``demo_loaded`` loads it twice, as someone who runs ``manage.py demo`` again would, inside an
outer transaction held for the whole module. Each test's own transaction is then a savepoint
within it, so what a test changes is rolled back after it, and the demo itself is rolled
back when the module ends, leaving the database empty for the next module.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from caseload.keycheck import key_check_forget
from priorities.models import Organisation


@pytest.fixture(scope="module")
def demo_loaded(
    django_db_setup, django_db_blocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    # What tests/conftest.py's per-test fixtures set, which a module's fixture runs before:
    # the demo's passwords hashed as the tests check them, its files in folders of its own.
    storages = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-documents"))},
        },
    }
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CASELOAD_ANCHOR_DIR=tmp_path_factory.mktemp("demo-anchors"),
            STORAGES=storages,
        ),
        django_db_blocker.unblock(),
    ):
        Organisation.forget()
        key_check_forget()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("demo", verbosity=0)
            call_command("demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
