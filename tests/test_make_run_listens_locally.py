"""`make run` (DEBUG on, a published demo password) listens on 127.0.0.1 unless HOST says otherwise.

The Makefile's run target is run for real with a stand-in virtualenv whose python does nothing and whose honcho
reports what it was given; the Procfile's web line is expanded by the shell as honcho's would be."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def _procfile_web() -> list[str]:
    (line,) = [line for line in (BASE_DIR / "Procfile").read_text().splitlines() if line.startswith("web:")]
    return shlex.split(line.split(":", 1)[1])


def _web_address(env: dict[str, str]) -> str:
    """The address runserver gets from the Procfile's web line, expanded by /bin/sh as honcho runs it."""
    argv = _procfile_web()
    address = argv[argv.index("runserver") + 1]
    done = subprocess.run(["/bin/sh", "-c", f'printf %s "{address}"'], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_procfile_web_binds_to_loopback_by_default():
    assert _web_address({}) == "127.0.0.1:8000"
    assert _web_address({"PORT": "8000"}) == "127.0.0.1:8000"


def test_procfile_web_binds_where_HOST_says():
    assert _web_address({"HOST": "0.0.0.0", "PORT": "8100"}) == "0.0.0.0:8100"


def test_no_process_binds_every_interface_unasked():
    assert "0.0.0.0" not in (BASE_DIR / "Procfile").read_text()


@pytest.fixture
def stand_in_venv(tmp_path):
    """A virtualenv for the Makefile: python accepts any command; honcho prints its HOST, PORT and arguments."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name, body in {"python": "exit 0", "honcho": 'echo "HOST=${HOST-unset} PORT=${PORT-unset} ARGS=$*"'}.items():
        script = venv / "bin" / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    (venv / ".installed").touch()  # newer than the requirements: no install
    os.utime(venv / ".installed", (2**31, 2**31))
    return venv


def _make_run(venv: Path, **env: str) -> str:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(venv)}
    done = subprocess.run(["make", "--no-print-directory", "run", f"VENV={venv}"], cwd=BASE_DIR,
                          env=base | env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("HOST=")]
    return line


def test_make_run_starts_the_processes_on_loopback(stand_in_venv):
    line = _make_run(stand_in_venv)
    assert line.startswith("HOST=127.0.0.1 ")
    assert re.search(r"ARGS=start -f Procfile --port 8000$", line), line


def test_make_run_listens_where_HOST_says(stand_in_venv):
    assert _make_run(stand_in_venv, HOST="0.0.0.0").startswith("HOST=0.0.0.0 ")
