"""A Celery worker started in the test session (celery's pytest fixtures), on the real Redis broker, picks up the
sweep task and runs a sweep end to end against the test database. Skipped when REDIS_URL is not set (CI sets it).

Transactional, so what the test writes is committed and the worker's own connection sees it, and the worker's
erasures are visible here."""
from __future__ import annotations

import os
import time
import uuid
from datetime import date

import pytest
from celery.contrib.pytest import (  # noqa: F401  (celery's fixtures, used by name)
    celery_app,
    celery_class_tasks,
    celery_config,
    celery_enable_logging,
    celery_includes,
    celery_parameters,
    celery_worker,
    celery_worker_parameters,
    celery_worker_pool,
    use_celery_app_trap,
)

from retention import tasks
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import ensure_countries, rule_for

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs the Redis broker (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="session")
def celery_config():  # noqa: F811
    return {
        "broker_url": REDIS_URL,
        "result_backend": None,
        "task_ignore_result": True,
        # A queue of its own, so a development worker on the same Redis never takes the test's task.
        "task_default_queue": f"retention-test-{uuid.uuid4().hex[:8]}",
        "task_acks_late": True,
        "broker_connection_retry_on_startup": False,
    }


@pytest.fixture(scope="session")
def celery_worker_parameters():  # noqa: F811
    # The ping check needs a result backend; the test watches the database instead.
    return {"perform_ping_check": False, "shutdown_timeout": 10}


@pytest.fixture(scope="session")
def celery_includes():  # noqa: F811
    return ("retention.tasks",)


def _wait_for_run(timeout: float = 30.0) -> SweepRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SweepRun.objects.exclude(status=SweepRun.Status.RUNNING).first()
        if run is not None:
            return run
        time.sleep(0.2)
    raise AssertionError("the worker did not finish a sweep in time")


def test_a_worker_runs_the_sweep_task_from_the_broker(celery_app, celery_worker):  # noqa: F811
    ensure_countries()
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    subjects = [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2019, 1, 1)).subject
        for _ in range(3)
    ]
    assert tasks.sweep.name in celery_app.tasks

    celery_app.send_task(tasks.sweep.name)  # as beat sends it: no arguments, no ETA

    run = _wait_for_run()
    assert run.status == SweepRun.Status.SUCCEEDED and not run.dry_run
    assert run.totals()["erased"] == 3
    assert ErasureRecord.objects.filter(subject__in=subjects).count() == 3
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ERASED}
