"""The worker benchmark's hand-written SQL still matches the schema (the benchmark
itself is run by hand with bench/run --worker, never by the suite)."""

import importlib.util
import sys

import pytest
from django.db import connection
from django.utils import timezone

from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def _worker_bench():
    spec = importlib.util.spec_from_file_location(
        "worker_bench", ROOT / "bench" / "worker_bench.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("worker_bench", module)
    spec.loader.exec_module(module)
    return module


def test_the_worker_benchmark_imports_and_its_query_runs():
    bench = _worker_bench()

    with connection.cursor() as cursor:
        cursor.execute(bench.SELECT_DUE_ROWS, [timezone.localdate()])
        assert cursor.fetchall() == []
