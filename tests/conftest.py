"""Shared fixtures: the personas, and the real-browser harness.

Personas: alice and bob advise in the North team, which carol supervises;
dave advises in the South team; erin is an admin.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from caseload.keycheck import key_check_forget
from caseload.roles import Role, role_groups_ensure
from cases.models import Team, User
from reviews.models import CaseWeight, ReviewFactor
from tests.factories import (
    AdminFactory,
    AdviserFactory,
    SupervisorFactory,
    TeamFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls made from tests that also drive the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("CASELOAD_ARTIFACTS_DIR", ROOT / ".ci" / "artifacts"))


@pytest.fixture(scope="session", autouse=True)
def _flush_with_triggers_off() -> Iterator[None]:
    """Let the flush after a transactional test empty the append-only tables.

    pytest-django empties the database with TRUNCATE, which the append-only
    triggers refuse whatever a session has set. The suite connects as a
    superuser, as the tables' owner does in production, so the flush, and
    only the flush, runs with every trigger off: ``SET LOCAL
    session_replication_role`` lasts until the flush's transaction ends. The
    application's own role could not do this (see caseload/db_roles.py).
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        flush(
            self,
            [
                "SET LOCAL session_replication_role = replica",
                *sql_list,
                "SET LOCAL session_replication_role = DEFAULT",
            ],
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: SettingsWrapper) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _anchor_dir(settings: SettingsWrapper, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes and reads note checkpoints in a folder of its own, never var/."""
    settings.CASELOAD_ANCHOR_DIR = tmp_path_factory.mktemp("anchors")


@pytest.fixture(autouse=True)
def _documents_dir(settings: SettingsWrapper, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Documents' encrypted files go to a folder of each test's own (the filesystem storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("documents"))},
        },
    }


@pytest.fixture(autouse=True)
def _organisation_settings_read_afresh() -> None:
    """Each test reads the organisation's settings from its own database, not from the
    copy a process keeps for up to half a minute."""
    from priorities.models import Organisation

    Organisation.forget()


@pytest.fixture(autouse=True)
def _unread_counts_afresh() -> None:
    """Each test counts unread notifications in its own database, not from counts the
    shared cache kept for an earlier test's people (whose ids repeat)."""
    from notifications.counts import unread_counts_forget

    unread_counts_forget()


@pytest.fixture(autouse=True)
def _key_check_per_test() -> None:
    """Each test starts as a new process would: its master keys not yet checked, so the
    first data key it wraps records the canaries in this test's database."""
    key_check_forget()


# --- personas ---------------------------------------------------------------


@pytest.fixture
def roles(db: None) -> None:
    """The role groups and review defaults, which migrations create but a transactional
    test's flush removes."""
    role_groups_ensure(group_model=Group, permission_model=Permission)
    defaults = importlib.import_module("reviews.migrations.0006_review_defaults")
    for level, points in defaults.WEIGHTS.items():
        CaseWeight.objects.get_or_create(case_type=None, level=level, defaults={"points": points})
    for position, label in enumerate(defaults.FACTORS):
        ReviewFactor.objects.get_or_create(label=label, defaults={"position": position})


@pytest.fixture
def north(roles: None) -> Team:
    return TeamFactory(name="North")


@pytest.fixture
def south(roles: None) -> Team:
    return TeamFactory(name="South")


@pytest.fixture
def alice(north: Team) -> User:
    user = AdviserFactory(username="alice", first_name="Alice", last_name="Adams")
    north.members.add(user)
    return user


@pytest.fixture
def bob(north: Team) -> User:
    user = AdviserFactory(username="bob", first_name="Bob", last_name="Baker")
    north.members.add(user)
    return user


@pytest.fixture
def carol(north: Team) -> User:
    user = SupervisorFactory(username="carol", first_name="Carol", last_name="Clark")
    north.supervisors.add(user)
    return user


@pytest.fixture
def dave(south: Team) -> User:
    user = AdviserFactory(username="dave", first_name="Dave", last_name="Davies")
    south.members.add(user)
    return user


@pytest.fixture
def sam(south: Team) -> User:
    """A supervisor of the South team, who leads no North case."""
    user = SupervisorFactory(username="sam", first_name="Sam", last_name="Shah")
    south.supervisors.add(user)
    return user


@pytest.fixture
def root(roles: None) -> User:
    """A superuser: the only person the emergency admin site (/django-admin/) lets in."""
    return UserFactory(
        username="root", first_name="Ruth", last_name="Root", is_superuser=True, is_staff=True
    )


@pytest.fixture
def erin(roles: None) -> User:
    return AdminFactory(username="erin", first_name="Erin", last_name="Evans")


@pytest.fixture
def dina(roles: None) -> User:
    """The data protection officer."""
    return UserFactory(
        username="dina", first_name="Dina", last_name="Dobson", roles=[Role.DATA_PROTECTION]
    )


def client_for(user: User) -> Client:
    """A test client signed in as ``user``, past the second factor if they have one."""
    client = Client()
    client.force_login(user)
    verify_session(client, user)
    return client


def verify_session(client: Client, user: User) -> None:
    """Mark ``client``'s session as having given ``user``'s second factor, as the code
    step does (django_otp.login)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


# --- the real-browser harness -----------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class AxeChecker:
    """Runs axe-core on the page and remembers which page loads were checked.

    Every page a journey loads must be checked: a load that was never checked
    fails the test at teardown, so no page slips through unexamined.
    """

    def __init__(self) -> None:
        self.loads = 0
        self.checked_load = 0
        self.unchecked_urls: list[str] = []
        self.last_url = ""

    def on_load(self, page) -> None:
        if self.loads > self.checked_load:
            self.unchecked_urls.append(self.last_url)
        self.loads += 1
        self.last_url = page.url


def assert_accessible(page) -> None:
    """Fail on any axe-core violation of impact serious or critical (WCAG 2.2 AA rules)."""
    page.wait_for_load_state("load")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    checker: AxeChecker = page.axe_checker
    checker.checked_load = checker.loads
    assert not serious, "Accessibility violations on {}:\n{}".format(
        page.url,
        "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in serious
        ),
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(
    browser,
    live_server,
    request: pytest.FixtureRequest,
) -> Iterator[object]:
    """A fresh browser tab on the live server, with axe-core loaded into every page.

    axe-core is added as an init script through the DevTools protocol, so the
    page's strict Content-Security-Policy stays on; any CSP violation the
    page reports fails the test.
    """
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    checker = AxeChecker()
    page.axe_checker = checker
    problems: list[str] = []
    page.on("load", lambda: checker.on_load(page))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error"
            and "Content Security Policy" in message.text
            # axe copies stylesheets that use @import (Django admin's forms.css) into
            # <style> elements of its own, which the policy rightly blocks; that is
            # the checker's doing, not the page's.
            and not message.location.get("url", "").endswith("axe.min.js")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    # Requests still under way, so that none reaches the server while the test's data is
    # flushed: a draft's autosave as the tab is hidden would deadlock with the flush.
    in_flight: set[object] = set()
    page.on("request", lambda sent: in_flight.add(sent))
    page.on("requestfinished", lambda done: in_flight.discard(done))
    page.on("requestfailed", lambda failed: in_flight.discard(failed))
    yield page

    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        _save_artifacts(page, request.node.nodeid)
    reported = list(problems)  # what the test's own pages reported
    _settle(page, in_flight)
    checker.checked_load = checker.loads  # about:blank needs no check
    context.close()
    if failed is not None and failed.passed:
        assert not reported, "The page reported problems:\n" + "\n".join(reported)
        if checker.loads > checker.checked_load:
            checker.unchecked_urls.append(checker.last_url)
        assert not checker.unchecked_urls, (
            "Pages loaded without an accessibility check: " + ", ".join(checker.unchecked_urls)
        )


def _settle(page, in_flight: set[object], *, timeout: float = 15.0) -> None:
    """Leave the page (its scripts send what they keep, such as a note's draft) and wait,
    polling, until every request it sent has been answered."""
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved text?": yes
    try:
        page.goto("about:blank")
    except Exception:  # the page may already be gone: nothing to settle
        return
    deadline = time.monotonic() + timeout
    while in_flight and time.monotonic() < deadline:
        page.wait_for_timeout(50)


def _save_artifacts(page, nodeid: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content())
        (ARTIFACTS / f"{stem}.json").write_text(json.dumps({"url": page.url}))
    except Exception as error:
        (ARTIFACTS / f"{stem}.error.txt").write_text(str(error))


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites(request: pytest.FixtureRequest) -> None:
    """Fail clearly, not with a timeout, when the browser suite cannot run."""
    if any(item.get_closest_marker("browser") for item in request.session.items):
        assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run bin/test to install it."
        assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run bin/setup test."
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), (
        "The suite runs against PostgreSQL: set DATABASE_URL (bin/test does)."
    )
