"""Each app serves its own URL prefixes, and the README's table of parts says which."""

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

README = Path(__file__).resolve().parents[2] / "README.md"
# Pages that three apps hang under one case, each from its own urls.py.
NESTED_UNDER_A_CASE = {"notes", "actions", "assessments"}
# Mounted by the project's URLconf for an app: the owner is the app that mounts them.
MOUNTED = {"django.contrib.admin": "caseload", "django.contrib.auth": "accounts"}


def _routes(resolver: URLResolver, prefix: str = "", site: str | None = None):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            # Django's admin site serves every app's models from its own views.
            inside = "django.contrib.admin" if entry.app_name == "admin" else site
            yield from _routes(entry, route, inside)
        elif isinstance(entry, URLPattern):
            yield route, site or entry.callback.__module__


def _owner(module: str) -> str:
    for package, app in MOUNTED.items():
        if module.startswith(package):
            return app
    return module.split(".")[0]


def _prefix(route: str) -> str:
    parts = [part for part in route.strip("^$").split("/") if part]
    if not parts:
        return "/"
    if parts[0] == "cases" and len(parts) > 2 and parts[2] in NESTED_UNDER_A_CASE:
        return f"/cases/<pk>/{parts[2]}/"
    return f"/{parts[0]}/"


def _served_by_code() -> dict[str, set[str]]:
    served: dict[str, set[str]] = {}
    for route, module in _routes(get_resolver()):
        served.setdefault(_prefix(route), set()).add(_owner(module))
    return served


def _table_in_readme() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in README.read_text().splitlines():
        row = re.match(r"\| `(\w+)/` \|[^|]*\| (.*) \|$", line)
        if not row:
            continue
        for prefix in re.findall(r"`(/[^`]*)`", row.group(2)):
            table[prefix] = row.group(1)
    return table


def test_every_url_prefix_is_served_by_one_app():
    shared = {prefix: apps for prefix, apps in _served_by_code().items() if len(apps) > 1}
    assert shared == {}


def test_the_readme_names_the_app_that_serves_each_url_prefix():
    served = {prefix: ", ".join(sorted(apps)) for prefix, apps in _served_by_code().items()}
    documented = _table_in_readme()
    documented.pop("/healthz")  # answered by middleware, before any URLconf
    assert served == documented
