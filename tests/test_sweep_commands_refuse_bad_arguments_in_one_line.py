"""A bad argument to ``retention_sweep`` or ``erasure_replay`` is answered with one clear line and exit status 2,
before anything starts, never with a traceback: a date that is not YYYY-MM-DD, a chunk size below one, a cutoff
so far out that the period arithmetic would overflow (outside 1900-01-01 .. 2999-12-31), an acting run's cutoff
after today without the override and its reason."""
from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from retention import services
from retention.models import SweepRun

BAD = [
    (["retention_sweep", "--as-of", "notadate"], "--as-of takes a date as YYYY-MM-DD"),
    (["retention_sweep", "--as-of", "01/06/2024"], "--as-of takes a date as YYYY-MM-DD"),
    (["retention_sweep", "--chunk-size", "0"], "--chunk-size takes a whole number of at least 1"),
    (["retention_sweep", "--chunk-size", "many"], "--chunk-size takes a whole number of at least 1"),
    (["retention_sweep", "--as-of", "0001-01-01"], "out of range: give a date from 1900-01-01 to 2999-12-31"),
    (["retention_sweep", "--as-of", "9999-12-31"], "out of range: give a date from 1900-01-01 to 2999-12-31"),
    (["retention_sweep", "--dry-run", "--as-of", "9999-12-31"], "out of range"),
    (["retention_sweep", "--as-of", "2999-01-01"], "is after today"),
    (["retention_sweep", "--as-of", "2999-01-01", "--allow-future-as-of"], "--allow-future-as-of needs --reason"),
    (["erasure_replay", "--since", "notadate"], "--since takes a date as YYYY-MM-DD"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("argv, message", BAD)
def test_call_command_raises_a_one_line_command_error_with_status_2(argv, message):
    with pytest.raises(CommandError) as refused:
        call_command(*argv, stdout=StringIO(), stderr=StringIO())

    assert refused.value.returncode == 2
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert not SweepRun.objects.exists()


# No database marker: the refusal comes before any query (pytest-django would fail a test that made one).
@pytest.mark.parametrize("argv, message", BAD)
def test_manage_py_prints_one_line_and_exits_2_without_a_traceback(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", *argv, "--skip-checks"])

    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("as_of", ["1899-12-31", "3000-01-01"])
def test_the_service_refuses_a_cutoff_out_of_range_for_every_caller(as_of):
    with pytest.raises(services.SweepRefused, match="out of range"):
        services.sweep_run(as_of=date.fromisoformat(as_of), dry_run=True)


def test_the_service_refuses_a_chunk_size_of_zero():
    with pytest.raises(services.SweepRefused):
        services.sweep_run(chunk_size=0)
