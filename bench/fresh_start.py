"""The first hour's first minutes: from a fresh clone to a page, as the README says to run the product.

Clones the repository's HEAD (committed work only) into a temporary folder and runs `make run` there as a new
user would: the virtualenv is created and the requirements installed (with whatever pip cache and wheel folders
the machine has: say "warm" only when a run before filled them), then migrate, load_demo and ensure_admin on the
default SQLite file, then honcho starts web, worker and beat. Timed until `/healthz` answers 200 on a free loopback
port (PORT), with the time of each step taken from the commands make echoes. Then it stops what it started (its own
process group) and times `manage.py migrate` alone into a new SQLite file with the clone's virtualenv. Prints one
JSON line.

    .venv/bin/python bench/fresh_start.py                  # clone, make run, first 200, then migrate alone
    .venv/bin/python bench/fresh_start.py --commit main    # the same for another commit, to compare
    .venv/bin/python bench/fresh_start.py --migrate-only   # migrate alone, this checkout and its .venv (CI-sized)

Targets (issue 21): the first 200 within 120 s with a warm pip cache; migrate within 20 s on SQLite.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PAGE_TARGET_S = 120
MIGRATE_TARGET_S = 20
# The steps of `make run`, as make echoes them, and the name each is reported under.
STEPS = (
    ("-m venv", "venv"),
    ("pip install", "install"),
    ("manage.py migrate", "migrate"),
    ("manage.py load_demo", "load_demo"),
    ("manage.py ensure_admin", "ensure_admin"),
    ("honcho start", "server_start"),
)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a new user's shell: no database or broker of ours, nothing of this checkout's venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
    return {**env, **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def time_migrate(python: Path, cwd: Path) -> dict:
    """`manage.py migrate` into a new SQLite file; seconds of wall clock and of this machine's CPU (user + sys)."""
    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        env = _clean_env(DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3", DJANGO_VAR_DIR=tmp)
        before = os.times()
        started = time.monotonic()
        result = subprocess.run([str(python), "manage.py", "migrate", "--noinput"], cwd=cwd, env=env,
                                capture_output=True, text=True)
        wall = time.monotonic() - started
        after = os.times()
        if result.returncode != 0:
            raise SystemExit(f"migrate failed:\n{result.stderr[-3000:]}")
        check = subprocess.run([str(python), "manage.py", "migrate", "--check"], cwd=cwd, env=env,
                               capture_output=True, text=True)
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"migrate_s": round(wall, 2), "migrate_cpu_s": round(cpu, 2), "migrate_complete": check.returncode == 0,
            "migrate_target_s": MIGRATE_TARGET_S, "migrate_within_target": wall <= MIGRATE_TARGET_S}


def fresh_start(*, commit: str, timeout: float, keep: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-fresh-start-"))
    clone = tmp / "privacy-registry"
    head = subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", head.stdout.strip()], cwd=clone, check=True)
    port = _free_port()
    log = (tmp / "make-run.log").open("w")
    started = time.monotonic()
    steps: dict[str, float] = {}
    # Its own session, so that stopping it stops honcho and the three processes it started, and nothing else.
    make = subprocess.Popen(["make", "run"], cwd=clone, env=_clean_env(PORT=str(port)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def read() -> None:
        for line in make.stdout:
            log.write(line)
            for marker, name in STEPS:
                if marker in line and name not in steps:
                    steps[name] = round(time.monotonic() - started, 2)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    first_page = status = None
    try:
        while time.monotonic() - started < timeout and make.poll() is None:
            status = _healthz(port)
            if status == 200:
                first_page = round(time.monotonic() - started, 2)
                break
            time.sleep(0.5)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            try:
                make.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
        reader.join(timeout=5)
        log.close()
    result = {
        "commit": head.stdout.strip(), "port": port, "first_200_s": first_page, "last_healthz_status": status,
        "steps_started_at_s": steps, "first_200_target_s": FIRST_PAGE_TARGET_S,
        "first_200_within_target": first_page is not None and first_page <= FIRST_PAGE_TARGET_S,
        "pip_cache_dir_existed": Path(os.path.expanduser("~/.cache/pip")).is_dir(),
    }
    if first_page is None:
        result["log_tail"] = (tmp / "make-run.log").read_text()[-3000:]
    else:
        result.update(time_migrate(clone / ".venv" / "bin" / "python", clone))
    if keep:
        result["kept"] = str(tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrate-only", action="store_true",
                        help="only time migrate into a new SQLite file, with this checkout and its .venv")
    parser.add_argument("--timeout", type=float, default=900, help="give up on the first 200 after this many s")
    parser.add_argument("--commit", default="HEAD", help="the commit to clone (default HEAD), e.g. to compare")
    parser.add_argument("--keep", action="store_true", help="keep the clone and make's log")
    args = parser.parse_args()
    if args.migrate_only:
        result = time_migrate(ROOT / ".venv" / "bin" / "python", ROOT)
    else:
        result = fresh_start(commit=args.commit, timeout=args.timeout, keep=args.keep)
    # Other work on the machine slows every number here: the load says how busy it was.
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    sys.exit(0 if result.get("migrate_complete") else 1)


if __name__ == "__main__":
    main()
