"""Running the suite in several processes (pytest-xdist), in two parts.

bin/test loads this module with ``-p tests.parallel``. Plugins named so are imported before
pytest-django reads the settings, which is when ``REDIS_URL`` is read.

Redis: worker ``gwN`` uses database ``base + N`` (the base being the number ``REDIS_URL``
ends with), so that one worker's Celery worker processes never take another's tasks and one
worker's cache clears never reach the other's. The test databases are kept apart by
pytest-django itself (``test_<name>_gwN``). Without xdist, or without ``REDIS_URL``, nothing
changes.

Parts: ``--db-part rolled-back`` runs only the tests whose database work is rolled back at
their end (and those with no database); ``--db-part transactional`` runs only those that
commit and so empty every table at their end (``transaction=True``, ``transactional_db``,
``live_server``, ``TransactionTestCase``). pytest-django keeps one process's tests in that
order, because emptying the tables also empties what the migrations put there (the role
groups, the periodic tasks) which rolled-back tests rely on. Across processes that fed a file
at a time no order holds, so bin/test runs the two parts one after the other.
"""

import os
import re

import pytest
from pytest_django.plugin import validate_django_db

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
_match = re.fullmatch(r"(?P<server>redis://[^/]+)(?:/(?P<db>\d+))?", _url)
if _worker.startswith("gw") and _match:
    _db = int(_match["db"] or 0) + int(_worker.removeprefix("gw"))
    if _db > 15:
        raise RuntimeError(f"REDIS_URL's database number leaves no room for worker {_worker}")
    os.environ["REDIS_URL"] = f"{_match['server']}/{_db}"

PARTS = ("rolled-back", "transactional")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-part",
        choices=PARTS,
        default=None,
        help="run only the tests whose database work is rolled back, or only the transactional ones",
    )


def is_transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` in a transaction it commits (and then flushes)."""
    from django.test import TestCase, TransactionTestCase

    test_class = getattr(item, "cls", None)
    if test_class is not None and issubclass(test_class, TransactionTestCase):
        return not issubclass(test_class, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        # pytest-django's own reading of the marker (its arguments may be positional).
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    part = config.getoption("--db-part")
    if part is None:
        return
    wanted = part == "transactional"
    kept, left = [], []
    for item in items:
        (kept if is_transactional(item) == wanted else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
