"""gunicorn's access log keeps query strings (an admin search by e-mail) and referring URLs out: one config file,
gunicorn.conf.py, used by every place that starts gunicorn."""
from __future__ import annotations

import re
import shlex
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.glogging import Logger

BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG = "gunicorn.conf.py"
EMAIL = "alice.erased@example.org"


def _gunicorn_commands() -> dict[str, list[str]]:
    """Every gunicorn command line the product has: Dockerfile CMD, docker-compose services, Procfile processes."""
    commands = {}
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    for n, match in enumerate(re.finditer(r"^(?:CMD|ENTRYPOINT) (\[.*\])$", dockerfile, re.M)):
        commands[f"Dockerfile {n}"] = yaml.safe_load(match.group(1))
    for name, service in yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"].items():
        command = service.get("command")
        if command:
            commands[f"compose {name}"] = command if isinstance(command, list) else shlex.split(command)
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            commands[f"Procfile {name}"] = shlex.split(command)
    return {where: argv for where, argv in commands.items() if any(Path(a).name == "gunicorn" for a in argv)}


def _config_of(argv: list[str], monkeypatch) -> object:
    """gunicorn's own reading of a command line: its settings, config file included (the image's WORKDIR is the
    checkout's root, so the relative path resolves the same way)."""
    monkeypatch.chdir(BASE_DIR)
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").cfg


def _logged_line(cfg) -> str:
    """The access-log line gunicorn writes for an admin search by e-mail, reached from a page that had one too."""
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/admin/subjects/datasubject/?q={EMAIL}",
        "PATH_INFO": "/admin/subjects/datasubject/", "QUERY_STRING": f"q={EMAIL}", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "172.18.0.1", "HTTP_USER_AGENT": "Mozilla/5.0",
        "HTTP_REFERER": f"https://registry.example.org/admin/subjects/suppression/?q={EMAIL}",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("USER-AGENT", "Mozilla/5.0")])
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    logger = Logger(cfg)
    atoms = logger.atoms_wrapper_class(logger.atoms(response, request, environ, timedelta(milliseconds=12)))
    return cfg.access_log_format % atoms


def test_every_gunicorn_invocation_uses_the_config_file():
    commands = _gunicorn_commands()
    assert {"Dockerfile 0", "compose web"} <= set(commands)
    for where, argv in commands.items():
        options = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in {"-c", "--config"}]
        options += [a.split("=", 1)[1] for a in argv if a.startswith("--config=")]
        assert options == [CONFIG], where
        # Nothing on the command line overrides the log settings of the file.
        assert not {"--access-logformat", "--access-logfile", "--log-config"} & set(argv), where


def test_the_config_file_logs_the_path_but_no_query_string_or_referrer(monkeypatch):
    for where, argv in _gunicorn_commands().items():
        cfg = _config_of(argv, monkeypatch)
        assert cfg.accesslog == "-", where
        assert cfg.bind == ["0.0.0.0:8000"], where
        log_format = cfg.access_log_format
        assert "%(U)s" in log_format, where
        for atom in ("%(r)s", "%(q)s", "%(f)s", "{referer}i"):
            assert atom not in log_format.lower(), (where, atom)
        line = _logged_line(cfg)
        assert "GET /admin/subjects/datasubject/ HTTP/1.1" in line and " 200 " in line, line
        assert EMAIL not in line and "?" not in line, line


@pytest.mark.parametrize("log_format", ['%(h)s "%(r)s" %(s)s', '%(U)s?%(q)s', '%(U)s "%(f)s"'])
def test_the_check_would_catch_a_format_that_leaks(monkeypatch, log_format):
    cfg = _config_of(["gunicorn", "privacy_registry.wsgi:application", "--config", CONFIG], monkeypatch)
    cfg.set("access_log_format", log_format)
    assert EMAIL in _logged_line(cfg)
