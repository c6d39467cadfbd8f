"""The benchmark's load driver: a separate process that talks HTTP to gunicorn.

Standard library only (threads and ``http.client``), so it measures what a
client sees over a socket, not what Django does in-process. It reads one job as
JSON on stdin and writes its result as JSON on stdout; bench/bench.py starts it.

Jobs:
- ``pages``: for each page, ``warmup`` then ``count`` sequential requests with
  the page's session cookie; returns every request's wall time in ms.
- ``append``: ``clients`` threads, each signed in as its own adviser, posting
  notes to their own cases for ``seconds`` (and at most ``limit`` posts);
  returns how many posts were accepted (a redirect) and failed.
- ``mixed``: ``users`` threads for ``seconds``, each a person who reads their
  caseload and case pages, searches and writes notes with a think time between;
  returns every request's time and the errors.
Every job is bounded in time as well as count.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One signed-in person: their cookies and a keep-alive connection."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.cookies = dict(cookies)
        self.csrf = ""
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, milliseconds); the connection is opened again after an error."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, "", (time.perf_counter() - started) * 1000
        ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, text, ms

    def page_csrf(self, path: str) -> None:
        """Open a page with a form, keeping its CSRF token as a browser would."""
        status, text, _ = self.request("GET", path)
        found = _CSRF_INPUT.search(text)
        if status != 200 or not found:
            raise SystemExit(f"no form to read a CSRF token from at {path} (HTTP {status})")
        self.csrf = found.group(1)


def note_form(csrf: str) -> dict[str, str]:
    """A note as the case page's form posts it, with a fresh form token (a new form)."""
    now = datetime.now()
    then = now - timedelta(minutes=5)
    return {
        "csrfmiddlewaretoken": csrf,
        "form_token": str(uuid.uuid4()),
        "contact_date": then.strftime("%d/%m/%Y"),
        "contact_time": then.strftime("%H:%M"),
        "channel": "phone",
        "facts": "Benchmark contact: the client called about the arrears.",
        "next_steps": "Call back next week.",
    }


def job_pages(job: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    deadline = time.monotonic() + job["seconds"]
    for page in job["pages"]:
        session = Session(job["host"], job["port"], page["cookies"])
        method, form = "GET", None
        if page.get("form") is not None:
            session.page_csrf(page["form_page"])
            method, form = "POST", {"csrfmiddlewaretoken": session.csrf, **page["form"]}
        timings, statuses = [], []
        for n in range(job["warmup"] + job["count"]):
            if time.monotonic() > deadline:
                break
            status, _, ms = session.request(method, page["path"], form)
            if n >= job["warmup"]:
                timings.append(ms)
                statuses.append(status)
        bad = [s for s in statuses if s not in page["ok"]]
        results[page["key"]] = {
            "ms": timings,
            "errors": len(bad),
            "statuses": sorted(set(statuses)),
        }
    return results


def job_append(job: dict[str, Any]) -> dict[str, Any]:
    counts = {"accepted": 0, "failed": 0}
    lock = threading.Lock()
    ready = threading.Barrier(len(job["clients"]) + 1)
    stop_at: list[float] = []

    def work(client: dict[str, Any]) -> None:
        session = Session(job["host"], job["port"], client["cookies"])
        cases = client["cases"]
        session.page_csrf(f"/cases/{cases[0]}/")
        ready.wait()
        n = 0
        while time.monotonic() < stop_at[0] and n < job["limit"]:
            case = cases[n % len(cases)]
            status, _, _ = session.request(
                "POST", f"/cases/{case}/notes/new/", note_form(session.csrf)
            )
            with lock:
                counts["accepted" if status == 302 else "failed"] += 1
            n += 1

    threads = [threading.Thread(target=work, args=(c,)) for c in job["clients"]]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    stop_at.append(time.monotonic() + job["seconds"])
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {**counts, "seconds": seconds}


def job_mixed(job: dict[str, Any]) -> dict[str, Any]:
    """People at work: mostly reading, sometimes writing a note, thinking in between."""
    timings: list[float] = []
    errors: list[str] = []
    by_kind: dict[str, list[float]] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + job["seconds"]
    think = job["think_seconds"]

    def work(user: dict[str, Any], seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a workload, not a secret
        session = Session(job["host"], job["port"], user["cookies"])
        time.sleep(rng.uniform(0, think[0]))  # people do not all start on the same second
        session.page_csrf(f"/cases/{user['cases'][0]}/")
        while time.monotonic() < stop_at:
            roll = rng.random()
            case = rng.choice(user["cases"])
            if roll < 0.30:
                kind, method, path, form = "my_caseload", "GET", "/caseload/", None
            elif roll < 0.75:
                kind, method, path, form = "case", "GET", f"/cases/{case}/", None
            elif roll < 0.85:
                kind, method, path = "search", "POST", "/clients/search/"
                form = {"csrfmiddlewaretoken": session.csrf, **user["search"]}
            else:
                kind, method, path = "note", "POST", f"/cases/{case}/notes/new/"
                form = note_form(session.csrf)
            status, _, ms = session.request(method, path, form)
            with lock:
                timings.append(ms)
                by_kind.setdefault(kind, []).append(ms)
                if status not in (200, 302):
                    errors.append(f"{kind} {status}")
            time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=work, args=(user, n)) for n, user in enumerate(job["users"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"ms": timings, "errors": errors, "by_kind": by_kind}


def main() -> None:
    job = json.load(sys.stdin)
    handler = {"pages": job_pages, "append": job_append, "mixed": job_mixed}[job["kind"]]
    json.dump(handler(job), sys.stdout)


if __name__ == "__main__":
    main()
