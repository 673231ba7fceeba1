"""Public request form benchmark: known and unknown e-mail addresses, side by side, through a real server.

Builds a throw-away database with the migrations (PostgreSQL when DATABASE_URL points at one, else an SQLite
file), adds an organisation and N/2 data subjects whose addresses are the "known" ones, starts gunicorn on a
free loopback port against it, and sends N form submissions alternating a known and an unknown address, each
with the CSRF cookie and token and the form's bot-check stamp of a freshly fetched form, as a browser would.
Only the POST is timed. Prints one JSON line: the median latency of each kind, their ratio (known / unknown)
and the throughput (submissions per second), and checks that every submission was answered alike (302 to the
same page) and made one request row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_registry .venv/bin/python bench/public_form.py
    .venv/bin/python bench/public_form.py --tiny          # 20 requests, to prove the bench still works

Target (DESIGN.md budgets): the same response and similar time for known and unknown addresses, i.e. a ratio
of 1.00 +/- 0.10. Rate limits are off for the bench (RATELIMIT_ENABLE=false), the form's minimum fill time is
0, and the confirmation e-mail task runs eagerly in the request into the in-memory mail backend (the same work
for both kinds; in production it runs in a worker after the response). Redis is not used.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")
# The web server below and this process share the settings that matter for the measurement.
BENCH_ENV = {
    "RATELIMIT_ENABLE": "false",
    "RIGHTS_FORM_MIN_SECONDS": "0",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "DJANGO_DEBUG": "false",
    "DJANGO_LOG_LEVEL": "WARNING",
}
os.environ.update(BENCH_ENV)
os.environ.pop("REDIS_URL", None)
_VAR = tempfile.mkdtemp(prefix="bench-public-form-")
os.environ["DJANGO_VAR_DIR"] = _VAR  # the filesystem broker's folders go there, not into the checkout's var/

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from privacy_registry.models import Country, Organisation  # noqa: E402
from rights.models import RightsRequest  # noqa: E402
from subjects.models import DataSubject  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAMP_INPUT = re.compile(r'name="started" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(original: str, name: str) -> str:
    """DATABASE_URL for the throw-away database: the original server and credentials, another database."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(original)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def start_server(port: int, url: str, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, **BENCH_ENV}
    # The server's output goes to a file: a pipe nobody reads would fill up and stall the workers.
    log = Path(_VAR) / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "privacy_registry.wsgi:application", "--pythonpath", str(ROOT),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--graceful-timeout", "5", "--log-level", "warning"],
        cwd=_VAR, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def fetch_form(port: int, path: str) -> tuple[str, str, str]:
    """GET the form: (csrftoken cookie, token in the page, bot-check stamp)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Language": "en"})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 200, (path, response.status)
    cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    return cookie.split(";", 1)[0].split("=", 1)[1], CSRF_INPUT.search(body).group(1), STAMP_INPUT.search(body).group(1)


def post_form(port: int, path: str, address: str) -> tuple[float, int, str, bytes]:
    cookie, token, stamp = fetch_form(port, path)
    body = urlencode({
        "csrfmiddlewaretoken": token, "started": stamp, "website": "", "type": "erasure", "email": address,
        "details": "",
    })
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{port}{path}", "Accept-Language": "en",
    }
    t0 = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed, response.status, response.getheader("Location", ""), content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="submissions in all (half known, half unknown)")
    parser.add_argument("--tiny", action="store_true", help="20 submissions: proves the bench works")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=4, help="untimed submissions first (each kind alike)")
    args = parser.parse_args()
    total = 20 if args.tiny else args.requests
    total += total % 2

    original_url = os.environ.get("DATABASE_URL", "")
    old_name = connection.settings_dict["NAME"]
    test_name = (str(Path(_VAR) / "bench.sqlite3") if connection.vendor == "sqlite"
                 else f"bench_public_form_{os.getpid()}")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = None
    try:
        organisation = Organisation.objects.create(
            name="Bench AB", slug="bench", country=Country.objects.filter(code="SE").first(),
        )
        known = [f"known{n}@example.org" for n in range(total // 2 + args.warmup)]
        DataSubject.objects.bulk_create(
            DataSubject(organisation=organisation, first_name=f"First{n}", last_name=f"Last{n}", email=address,
                        language="sv")
            for n, address in enumerate(known)
        )
        connection.close()  # the server's workers open their own connections

        port = free_port()
        server = start_server(port, database_url(original_url, test_name), args.workers)
        path = "/privacy/bench/request/"
        for n in range(args.warmup):
            post_form(port, path, known[-1 - n] if n % 2 else f"warmup{n}@example.net")

        times: dict[str, list[float]] = {"known": [], "unknown": []}
        answers: dict[str, set] = {"known": set(), "unknown": set()}
        t0 = time.perf_counter()
        for n in range(total):
            kind = "known" if n % 2 == 0 else "unknown"
            address = known[n // 2] if kind == "known" else f"unknown{n // 2}@example.net"
            elapsed, status, location, content = post_form(port, path, address)
            times[kind].append(elapsed)
            answers[kind].add((status, location, content))
        wall = time.perf_counter() - t0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        rows = RightsRequest.objects.count() if server is not None else 0
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(_VAR, ignore_errors=True)

    known_ms = statistics.median(times["known"]) * 1000
    unknown_ms = statistics.median(times["unknown"]) * 1000
    result = {
        "requests": total,
        "vendor": connection.vendor,
        "workers": args.workers,
        "known": {"n": len(times["known"]), "median_ms": round(known_ms, 2)},
        "unknown": {"n": len(times["unknown"]), "median_ms": round(unknown_ms, 2)},
        "ratio": round(known_ms / unknown_ms, 3),
        "target": "1.00 +/- 0.10",
        # Submissions per second, each a GET of the form and its POST, one after the other from one client.
        "throughput_rps": round(total / wall, 1),
        "same_answer": answers["known"] == answers["unknown"] and len(answers["known"]) == 1,
        "answer": sorted({f"{status} {location}" for status, location, _ in answers["known"] | answers["unknown"]}),
        "request_rows": rows,
    }
    print(json.dumps(result), flush=True)
    if not result["same_answer"] or rows != total + args.warmup:
        raise SystemExit("known and unknown addresses were not answered alike, or rows are missing")


if __name__ == "__main__":
    main()
