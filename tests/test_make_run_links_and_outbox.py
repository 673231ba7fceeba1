"""`make run`: every e-mailed link (and the notice's) points where the demo listens, PORT and HOST included, and the
demo's e-mails are files in var/outbox/ rather than lines among thousands of log lines.

The Makefile's run target is run for real with a stand-in virtualenv (as in tests/test_make_run_listens_locally.py)
whose honcho reports the environment it was started with; settings.py then reads that environment in a fresh
interpreter, and a request submitted with those settings leaves its confirmation e-mail in a file."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import OrganisationFactory
from tests.rights_public_support import eager_tasks_fixture, public_pages_fixture, submit  # noqa: F401  (fixtures)
from tests.test_settings_and_deploy import _settings

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def make_run(tmp_path):
    """``make run`` with a stand-in virtualenv; returns the environment and arguments honcho was started with."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name, body in {"python": "exit 0", "honcho": 'echo "ARGS=$*"; env'}.items():
        script = venv / "bin" / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    (venv / ".installed").touch()  # newer than the requirements: no install
    os.utime(venv / ".installed", (2**31, 2**31))

    def run(**env: str) -> dict[str, str]:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
        done = subprocess.run(["make", "--no-print-directory", "run", f"VENV={venv}"], cwd=BASE_DIR,
                              env=base | env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        started = lines.index(next(line for line in lines if line.startswith("ARGS=")))
        return dict(line.split("=", 1) for line in lines[started:] if "=" in line)

    return run


def test_links_point_at_the_port_the_demo_listens_on(make_run):
    default = make_run()
    assert default["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert default["ARGS"].endswith("--port 8000")
    moved = make_run(PORT="8101")
    assert moved["PUBLIC_BASE_URL"] == "http://127.0.0.1:8101"
    assert moved["ARGS"].endswith("--port 8101")


@pytest.mark.parametrize(("host", "link_host"), [("0.0.0.0", "127.0.0.1"), ("192.0.2.10", "192.0.2.10"),
                                                 ("::1", "[::1]"), ("[::1]", "[::1]"), ("::", "127.0.0.1")])
def test_links_follow_HOST_and_name_this_machine_when_it_listens_everywhere(make_run, host, link_host):
    assert make_run(HOST=host, PORT="8200")["PUBLIC_BASE_URL"] == f"http://{link_host}:8200"


def test_the_demos_mail_goes_to_the_outbox_unless_the_environment_says_otherwise(make_run):
    assert make_run()["EMAIL_URL"] == "filemail://var/outbox"
    given = make_run(EMAIL_URL="consolemail://", PUBLIC_BASE_URL="https://demo.example.org")
    assert (given["EMAIL_URL"], given["PUBLIC_BASE_URL"]) == ("consolemail://", "https://demo.example.org")


@pytest.mark.django_db
@pytest.mark.usefixtures("public_pages", "eager_tasks")
def test_under_make_run_the_confirmation_mail_is_a_file_whose_link_names_the_port(
    make_run, tmp_path, client, settings, django_capture_on_commit_callbacks,
):
    env = make_run(PORT="8101")
    demo = {key: env[key] for key in ("DJANGO_DEBUG", "EMAIL_URL", "PUBLIC_BASE_URL")}
    got = _settings(tmp_path, demo, "EMAIL_BACKEND", "EMAIL_FILE_PATH", "PUBLIC_BASE_URL")
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert got["EMAIL_FILE_PATH"] == str(BASE_DIR / "var" / "outbox")
    # The same backend and links; the outbox in the test's own folder instead of the checkout's var/.
    settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = got["EMAIL_BACKEND"], got["PUBLIC_BASE_URL"]
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    organisation = OrganisationFactory()

    submit(client, organisation, django_capture_on_commit_callbacks, email="new.person@example.com")

    (mail_file,) = (tmp_path / "outbox").iterdir()
    text = mail_file.read_text()
    assert "To: new.person@example.com" in text
    assert f"http://127.0.0.1:8101/privacy/{organisation.slug}/request/confirm/" in text
