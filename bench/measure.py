"""Caseload's benchmark: seed an organisation, serve it with gunicorn, drive it, report.

Run through ``bench/run`` (which creates and migrates the database first, then runs
``python -m bench.measure``):

    bench/run --scale 0.01            # a quick run: a couple of minutes
    bench/run --scale 1.0             # the issue's organisation: 200,000 open cases

What it does, in order:

1. Seeds organisation ``org`` at ``--scale`` (bench/seed.py; reused when the
   database already holds it at that scale) and a small one, ``qc``, at a tenth
   of it, whose pages give the second column of query counts.
2. Counts the SQL queries of every page in-process (Django's test client and
   ``CaptureQueriesContext``, as the same users) in both organisations, and flags
   any page whose count differs between them: a count that grows with the data.
3. Starts gunicorn on 127.0.0.1 (a free port, DEBUG off, ``--web-processes``
   workers) and drives it from a separate process (bench/driver.py): each page
   sequentially, note appends at 4 and 16 clients, appends at 1, 2 and 4 web
   processes, and ``--users`` people at once for ``--duration`` seconds.
4. Times the deadline sweep (first and routine run) against hand-written SQL
   doing the same work, and every supervisor's weekly report, each inside a
   transaction that is rolled back so reruns measure the same work.
5. Prints a table and writes bench/results.json.

Signing in: each person driven gets a session made server-side as the app's
two-step sign-in leaves it (password step done, authenticator verified).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

from bench import seed as seeding
from bench.worker import report_figures, sweep_figures
from cases.models import Case, User
from cases.models import Client as CaseClient
from notes.models import CaseNote
from reviews.models import CaseloadReview

PAGES = [
    "dashboard",
    "dashboard_25",
    "my_caseload",
    "case_10",
    "case_2000",
    "search",
    "review_pack",
    "all_teams",
    "shared_caseload",
]
TARGETS_MS = {
    "dashboard": 100,
    "dashboard_25": 100,
    "my_caseload": 40,
    "case_10": 50,
    "case_2000": 60,
    "all_teams": 200,
    "shared_caseload": 100,
}

# --- the organisation's people and pages ------------------------------------------------


def signed_in(user: User) -> Client:
    """A test client whose session is what the two-step sign-in leaves: the password
    step done and the authenticator verified (``django_otp``'s session key set)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.middleware import LAST_ACTIVITY_SESSION_KEY

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Benchmark authenticator", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time())
    session.save()
    return client


def cookies_of(client: Client) -> dict[str, str]:
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class Org:
    """The people and objects of one seeded organisation that the pages are opened with."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        user = User.objects.get
        self.supervisor_25 = user(username=f"{prefix}-supervisor-00")
        self.supervisor = user(username=f"{prefix}-supervisor-01")
        self.adviser = user(username=f"{prefix}-adviser-01-00")
        self.receiver = user(username=f"{prefix}-adviser-01-24")
        self.admin = user(username=f"{prefix}-admin-0")
        first = list(Case.objects.open().filter(assigned_to=self.adviser).order_by("pk")[:2])
        self.busy, self.ten = first
        self.review = CaseloadReview.objects.get(adviser__username=f"{prefix}-adviser-00-00")
        own = Case.objects.open().filter(assigned_to=self.adviser).order_by("pk")
        self.own_cases = [c.pk for c in own.exclude(pk__in=[self.busy.pk, self.ten.pk])[:5]]
        found = CaseClient.objects.select_related("data_key").get(cases__pk=self.own_cases[0])
        self.search_form = {
            "family_name": str(found.family_name),
            "date_of_birth": seeding.uk_date(found.date_of_birth),
        }
        self.client_reference = found.reference

    def pages(self) -> dict[str, tuple[User, str, dict[str, str] | None]]:
        """Page key → (who opens it, path, form posted or None)."""
        caseload = reverse("cases:my_caseload")
        return {
            "dashboard": (self.supervisor, reverse("reviews:team_dashboard"), None),
            "dashboard_25": (self.supervisor_25, reverse("reviews:team_dashboard"), None),
            "my_caseload": (self.adviser, caseload, None),
            "case_10": (self.adviser, reverse("cases:case_detail", args=[self.ten.pk]), None),
            "case_2000": (self.adviser, reverse("cases:case_detail", args=[self.busy.pk]), None),
            "search": (self.adviser, reverse("cases:client_search"), self.search_form),
            "review_pack": (
                self.supervisor_25,
                reverse("reviews:review_detail", args=[self.review.pk]),
                None,
            ),
            "all_teams": (self.admin, reverse("reviews:organisation_teams"), None),
            "shared_caseload": (self.receiver, caseload, None),
        }


def note_post(case_pk: int) -> dict[str, str]:
    then = timezone.localtime() - timedelta(minutes=5)
    return {
        "contact_date": then.strftime("%d/%m/%Y"),
        "contact_time": then.strftime("%H:%M"),
        "channel": "phone",
        "facts": "Benchmark contact",
        "next_steps": "Call back next week",
    }


def query_counts(org: Org) -> dict[str, int]:
    """SQL queries per page (after one warm-up request) and per note posted, in-process."""
    counts: dict[str, int] = {}
    clients: dict[int, Client] = {}
    for key, (user, path, form) in org.pages().items():
        client = clients.setdefault(user.pk, signed_in(user))

        def request(client: Client = client, path: str = path, form: Any = form) -> int:
            response = client.post(path, form) if form is not None else client.get(path)
            return response.status_code

        request()
        with CaptureQueriesContext(connection) as captured:
            status = request()
        if status not in (200, 302):
            raise SystemExit(f"{org.prefix} {key}: HTTP {status}")
        counts[key] = len(captured.captured_queries)
    client = clients[org.adviser.pk]
    path = reverse("notes:note_add", args=[org.own_cases[0]])
    with CaptureQueriesContext(connection) as captured:
        status = client.post(path, note_post(org.own_cases[0])).status_code
    if status != 302:
        raise SystemExit(f"{org.prefix} note append: HTTP {status}")
    counts["append"] = len(captured.captured_queries)
    return counts


# --- gunicorn and the driver -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving Caseload on 127.0.0.1, DEBUG off, with ``workers`` processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "caseload.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped while starting")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1."):
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def drive(job: dict[str, Any], *, server: Server) -> Any:
    """Run one job in the driver, a separate process; its result."""
    job = {**job, "host": "127.0.0.1", "port": server.port}
    done = subprocess.run(  # noqa: S603 - our own driver, fixed arguments
        [sys.executable, str(BENCH_DIR / "driver.py")],
        input=json.dumps(job).encode(),
        capture_output=True,
        check=False,
        timeout=job.get("seconds", 600) + 300,
    )
    if done.returncode != 0:
        raise SystemExit(f"driver failed: {done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def saved_notes(authors: list[int], since: Any) -> int:
    return CaseNote.objects.filter(author_id__in=authors, recorded_at__gte=since).count()


def append_run(org: Org, *, clients: int, seconds: float, server: Server) -> dict[str, Any]:
    """``clients`` advisers posting notes to their own cases at once; saved is counted in
    the database afterwards, and lost = accepted - saved."""
    advisers = list(
        User.objects.filter(username__startswith=f"{org.prefix}-adviser-")
        .exclude(username__startswith=f"{org.prefix}-adviser-00-")
        .order_by("username")[:clients]
    )
    job_clients = []
    for adviser in advisers:
        cases = list(
            Case.objects.open()
            .filter(assigned_to=adviser)
            .exclude(pk__in=[org.busy.pk])
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
        job_clients.append({"cookies": cookies_of(signed_in(adviser)), "cases": cases})
    since = timezone.now()
    result = drive(
        {"kind": "append", "clients": job_clients, "seconds": seconds, "limit": 100_000},
        server=server,
    )
    saved = saved_notes([a.pk for a in advisers], since)
    return {
        "clients": clients,
        "web_processes": server.workers,
        "per_s": round(result["accepted"] / result["seconds"], 1),
        "accepted": result["accepted"],
        "saved": saved,
        "lost": result["accepted"] - saved,
        "failed": result["failed"],
    }


def mixed_run(
    org: Org, *, users: int, seconds: float, think: tuple[float, float], server: Server
) -> dict[str, Any]:
    """``users`` people at once: advisers reading their caseload and cases (75%),
    searching (10%) and writing notes (15%), thinking ``think`` seconds (uniformly
    between the two) before each next request, as people reading a page do."""
    advisers = list(
        User.objects.filter(username__startswith=f"{org.prefix}-adviser-")
        .order_by("username")
        .distinct()[:users]
    )
    known = []
    for adviser in advisers:
        cases = list(
            Case.objects.open()
            .filter(assigned_to=adviser)
            .order_by("pk")
            .select_related("client__data_key")[:8]
        )
        if cases:
            client = cases[0].client
            search = {
                "family_name": str(client.family_name),
                "date_of_birth": seeding.uk_date(client.date_of_birth),
            }
            known.append((adviser, [c.pk for c in cases], search))
    # A small organisation has fewer advisers than people wanted: some then work in
    # two browsers at once, each with a session of its own.
    people = [
        {"cookies": cookies_of(signed_in(adviser)), "cases": cases, "search": search}
        for adviser, cases, search in (known[n % len(known)] for n in range(users))
    ]
    result = drive(
        {"kind": "mixed", "users": people, "seconds": seconds, "think_seconds": list(think)},
        server=server,
    )
    ms = result["ms"]
    return {
        "users": len(people),
        "seconds": seconds,
        "think_seconds": list(think),
        "requests": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "errors": len(result["errors"]),
        "error_kinds": sorted(set(result["errors"]))[:10],
        "p95_ms_by_kind": {k: round(percentile(v, 95), 1) for k, v in result["by_kind"].items()},
    }


# --- versions and sizes ----------------------------------------------------------------


def versions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed arguments
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        .stdout.decode()
        .strip()
    )
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": server,
        "caseload_commit": commit,
        "cpus": str(os.cpu_count()),
    }


def sizes() -> dict[str, int]:
    tables = [
        "cases_client",
        "cases_case",
        "notes_casenote",
        "cases_caseshare",
        "priorities_deadlineflag",
        "priorities_deadlinewatch",
        "notes_action",
        "cases_user",
        "auditlog_logentry",
    ]
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our names
            found[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        found["database_bytes"] = cursor.fetchone()[0]
    return found


# --- the run ----------------------------------------------------------------------------


def ensure_seeded(prefix: str, scale: float, *, busy_notes: int, jobs: int) -> float | None:
    """Seed ``prefix`` at ``scale`` unless it is there already; the seeding rate, if seeded."""
    have = seeding.seeded_scale(prefix)
    if have is not None:
        if abs(have - scale) > 1e-9:
            raise SystemExit(
                f"The database holds organisation {prefix!r} at scale {have}, not {scale}: "
                "run again with --reseed."
            )
        print(f"Reusing organisation {prefix!r} at scale {scale}.")
        return None
    print(f"Seeding organisation {prefix!r} at scale {scale} ...", flush=True)
    return seeding.seed(
        prefix, scale, busy_notes=busy_notes, out=lambda s: print(s, flush=True), jobs=jobs
    )


def page_line(key: str, page: dict[str, Any], small: int | None) -> str:
    target = TARGETS_MS.get(key)
    mark = "" if target is None else ("  ok" if page["p95_ms"] < target else f"  > {target} ms")
    other = "" if small is None else f"{small:>6}"
    flag = "" if small is None or small == page["queries"] else "  COUNT DIFFERS"
    return (
        f"{key:<16} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} {page['queries']:>8} {other}"
        f"{mark}{flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = the issue's organisation")
    parser.add_argument("--requests", type=int, help="sequential requests per page (200 at 1.0)")
    parser.add_argument(
        "--seed-jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes encrypting and chaining notes while seeding (default: one per CPU)",
    )
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--web-processes", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=100, help="people at once in the mixed run")
    parser.add_argument("--duration", type=float, help="seconds of the mixed run (300 at 1.0)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN", "MAX"),
        help="seconds a person in the mixed run thinks between requests (default 5 15)",
    )
    parser.add_argument("--append-seconds", type=float, help="seconds of each append run")
    parser.add_argument(
        "--skip", default="", help="comma-separated: pages,append,scale_out,mixed,sweep,reports"
    )
    parser.add_argument("--output", default=str(BENCH_DIR / "results.json"))
    args = parser.parse_args()
    big = args.scale >= 0.5
    requests = args.requests or (200 if big else 50)
    duration = args.duration or (300.0 if big else 20.0)
    append_seconds = args.append_seconds or (30.0 if big else 8.0)
    skip = set(filter(None, args.skip.split(",")))
    small_scale = max(0.001, round(args.scale / 10, 4))

    rates = {
        "org": ensure_seeded("org", args.scale, busy_notes=2000, jobs=args.seed_jobs),
        "qc": ensure_seeded("qc", small_scale, busy_notes=200, jobs=args.seed_jobs),
    }
    org, small = Org("org"), Org("qc")
    results: dict[str, Any] = {
        "scale": args.scale,
        "query_count_scale": small_scale,
        "run_at": timezone.now().isoformat(timespec="seconds"),
        "versions": versions(),
        # The machine's load when the run started and ended: other work on it slows
        # every figure, so read them next to these.
        "load_average": {"start": [round(x, 2) for x in os.getloadavg()]},
        "sizes": sizes(),
        "seeding_rows_per_s": {k: round(v) for k, v in rates.items() if v is not None},
    }
    print("Counting queries at both scales ...", flush=True)
    counts = query_counts(org)
    small_counts = query_counts(small)
    results["query_counts"] = {"org": counts, "qc": small_counts}
    differs = [k for k in counts if counts[k] != small_counts.get(k)]
    results["query_counts_differ"] = differs

    pages: dict[str, Any] = {}
    if "pages" not in skip:
        with Server(args.web_processes) as server:
            job_pages = []
            for key, (user, path, form) in org.pages().items():
                job_pages.append(
                    {
                        "key": key,
                        "path": path,
                        "cookies": cookies_of(signed_in(user)),
                        "form": form,
                        "form_page": reverse("cases:client_search"),
                        "ok": [302] if form is not None else [200],
                    }
                )
            print(f"Timing {len(job_pages)} pages, {requests} requests each ...", flush=True)
            measured = drive(
                {
                    "kind": "pages",
                    "pages": job_pages,
                    "warmup": args.warmup,
                    "count": requests,
                    "seconds": 1800,
                },
                server=server,
            )
        for key in PAGES:
            got = measured[key]
            if got["errors"]:
                raise SystemExit(f"{key}: HTTP {got['statuses']}")
            pages[key] = {
                "p50_ms": round(statistics.median(got["ms"]), 1),
                "p95_ms": round(percentile(got["ms"], 95), 1),
                "queries": counts[key],
                "requests": len(got["ms"]),
            }
    results["pages"] = pages

    if "append" not in skip:
        results["append"] = []
        with Server(args.web_processes) as server:
            for clients in (4, 16):
                print(f"Appending notes with {clients} clients ...", flush=True)
                run = append_run(org, clients=clients, seconds=append_seconds, server=server)
                run["queries_per_post"] = counts["append"]
                results["append"].append(run)
    if "scale_out" not in skip:
        results["scale_out"] = []
        for workers in (1, 2, 4):
            with Server(workers) as server:
                print(f"Appending notes at {workers} web processes ...", flush=True)
                run = append_run(org, clients=8, seconds=append_seconds, server=server)
                results["scale_out"].append(run)
    if "mixed" not in skip:
        with Server(args.web_processes) as server:
            print(f"{args.users} people at once for {duration:.0f} s ...", flush=True)
            results["mixed"] = mixed_run(
                org, users=args.users, seconds=duration, think=tuple(args.think), server=server
            )
    if "sweep" not in skip:
        print("Timing the deadline sweep ...", flush=True)
        results["sweep"] = sweep_figures()
    if "reports" not in skip:
        print("Timing every supervisor's weekly report ...", flush=True)
        results["reports"] = report_figures()

    results["load_average"]["end"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"Written to {args.output}.")


def print_table(results: dict[str, Any]) -> None:
    qc = results["query_counts"]["qc"]
    print()
    print(
        f"Caseload benchmark at scale {results['scale']} ({results['versions']['caseload_commit']})"
    )
    print(
        f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'@' + str(results['query_count_scale']):>6}"
    )
    for key, page in results["pages"].items():
        print(page_line(key, page, qc.get(key)))
    org_counts = results["query_counts"]["org"]
    print(f"{'note append':<16} {'':>8} {'':>8} {org_counts['append']:>8} {qc['append']:>6}")
    for run in results.get("append", []):
        print(
            f"append, {run['clients']:>2} clients: {run['per_s']:>7.1f} notes/s, accepted "
            f"{run['accepted']}, saved {run['saved']}, lost {run['lost']}, failed {run['failed']}"
        )
    for run in results.get("scale_out", []):
        print(
            f"append, {run['web_processes']} web processes, 8 clients: {run['per_s']:>7.1f} notes/s"
        )
    if mixed := results.get("mixed"):
        print(
            f"mixed, {mixed['users']} people for {mixed['seconds']:.0f} s: {mixed['requests']} requests, "
            f"p50 {mixed['p50_ms']} ms, p95 {mixed['p95_ms']} ms, {mixed['errors']} errors"
        )
    for kind, run in results.get("sweep", {}).items():
        print(
            f"sweep, {kind:<8} {run['cases']} open cases: {run['seconds']:.2f} s, floor "
            f"{run['floor_seconds']:.2f} s, ratio {run['ratio']}"
        )
    if reports := results.get("reports"):
        print(f"weekly reports for {reports['supervisors']} supervisors: {reports['seconds']} s")
    if results["query_counts_differ"]:
        print(
            f"QUERY COUNTS DIFFER between the scales: {', '.join(results['query_counts_differ'])}"
        )


if __name__ == "__main__":
    main()
