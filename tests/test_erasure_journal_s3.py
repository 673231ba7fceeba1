"""The erasure journal in an S3-compatible bucket (``retention.journal.S3Journal``), against a real S3 HTTP server on
localhost (moto's server mode): one object per erasure batch, ids and keyed hashes only, uploaded before the
erasure commits (a bucket that refuses or does not answer rolls the erasure back), listed page by page in key
order, and read back by ``erasure_replay`` after a restore so that no identifier is left.
"""
from __future__ import annotations

import io
import json
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from django.core.management import CommandError, call_command
from moto.server import ThreadedMotoServer

from retention import engine, journal, services
from retention.models import ErasureRecord
from subjects.keyed_hash import suppression_hash
from subjects.models import DataSubject, Suppression
from tests.retention_support import database_text, person_with_copies, rule_for
from tests.test_erasure_journal_and_replay import _restore, _snapshot
from tests.test_settings_and_deploy import _run, _settings

S3_BACKEND = "retention.journal.S3Journal"
AS_OF = date(2024, 6, 1)
KEY = re.compile(r"erasure-journal/(\d{4})/(\d{2})/(\d{2})/(\d{8}T\d{12}Z)-(\d+)-([0-9a-f]{32})\.jsonl")


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible HTTP server on a free localhost port, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    name: str
    client: object

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return [item["Key"] for page in pages for item in page.get("Contents", ())]

    def text(self, key: str) -> str:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read().decode("utf-8")

    def all_text(self) -> str:
        return "".join(self.text(key) for key in self.keys())

    def lines(self) -> list[dict]:
        return [json.loads(line) for key in self.keys() for line in self.text(key).splitlines()]


def _client(endpoint: str):
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing").client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture
def bucket(settings, s3_endpoint) -> Bucket:
    """A fresh bucket of the test's own, and the settings that make it the erasure journal."""
    name = f"journal-{uuid.uuid4().hex[:16]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=name)
    settings.ERASURE_JOURNAL_BACKEND = S3_BACKEND
    settings.ERASURE_JOURNAL_S3_BUCKET = name
    settings.ERASURE_JOURNAL_S3_PREFIX = "erasure-journal"
    settings.ERASURE_JOURNAL_S3_ENDPOINT_URL = s3_endpoint
    settings.ERASURE_JOURNAL_S3_REGION = "us-east-1"
    settings.ERASURE_JOURNAL_S3_ACCESS_KEY_ID = "testing"
    settings.ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY = "testing"
    settings.ERASURE_JOURNAL_S3_SESSION_TOKEN = ""
    return Bucket(name=name, client=client)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Replay asks the vendors again after commit; here the sends are not enqueued anywhere.
    monkeypatch.setattr("retention.followups.enqueue", lambda ids: None)


def _calls(client, operation: str) -> list[dict]:
    """The requests the journal's client sends for one S3 operation (observed, not replaced)."""
    seen: list[dict] = []
    client.meta.events.register(f"before-parameter-build.s3.{operation}", lambda params, **kwargs: seen.append(params))
    return seen


def _replay(since: str = "2020-01-01") -> str:
    out = io.StringIO()
    call_command("erasure_replay", "--since", since, stdout=out)
    return out.getvalue()


# --- writing --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_erasure_uploads_one_object_of_ids_and_keyed_hashes_only(bucket, settings):
    person = person_with_copies()
    email = person.identifiers[0]

    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    [key] = bucket.keys()
    match = KEY.fullmatch(key)
    assert match, key
    today = datetime.now(UTC)
    assert match.group(1, 2, 3) == (f"{today:%Y}", f"{today:%m}", f"{today:%d}")
    assert int(match.group(5)) == record.pk
    [line] = bucket.lines()
    assert line["record"] == record.pk and line["subject"] == person.subject.pk and line["action"] == "erase"
    assert set(line) == {"v", "record", "subject", "action", "erased_at", "digests"}
    assert line["digests"][suppression_hash(email)] == Suppression.Kind.EMAIL
    text = bucket.all_text().lower()
    assert [value for value in person.identifiers if value in text] == []
    assert not settings.ERASURE_JOURNAL_PATH.exists()


@pytest.mark.django_db
def test_the_sweep_uploads_one_object_per_chunk(bucket):
    first = person_with_copies(tag="s0")
    activity = first.subject.engagements.get().activity
    people = [first] + [person_with_copies(activity=activity, tag=f"s{n}") for n in (1, 2)]
    rule_for(activity)

    run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.totals()["erased"] == 3
    assert len(bucket.keys()) == 2
    assert sorted(line["subject"] for line in bucket.lines()) == sorted(p.subject.pk for p in people)
    text = bucket.all_text().lower()
    assert [v for p in people for v in p.identifiers if v in text] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["missing bucket", "unreachable endpoint"])
def test_a_bucket_that_cannot_take_the_object_rolls_the_erasure_back(bucket, settings, fault):
    if fault == "missing bucket":
        settings.ERASURE_JOURNAL_S3_BUCKET = f"no-such-{uuid.uuid4().hex[:12]}"
    else:
        settings.ERASURE_JOURNAL_S3_ENDPOINT_URL = f"http://127.0.0.1:{_free_port()}"
    person = person_with_copies()

    with pytest.raises(journal.JournalError, match="cannot write"):
        engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE
    assert not ErasureRecord.objects.exists()
    assert not Suppression.objects.filter(digest=suppression_hash(person.identifiers[0])).exists()
    assert person.identifiers[0] in database_text()
    assert bucket.keys() == []


# --- reading: key order, pages, days skipped ------------------------------------------------------------------


def _line(record: int, subject: int, erased_at: datetime) -> str:
    return json.dumps({"v": 1, "record": record, "subject": subject, "action": "erase",
                       "erased_at": erased_at.isoformat(), "digests": {}})


def test_listing_pages_through_many_objects_in_key_order(bucket):
    writer = journal.S3Journal()
    for n in range(1, 26):
        writer.append([_line(n, 100 + n, datetime.now(UTC))])
    reader = journal.S3Journal(page_size=4)
    listed = _calls(reader.client, "ListObjectsV2")

    lines, unreadable = journal.read(journal=reader)

    assert [line.record_id for line in lines] == list(range(1, 26)) and unreadable == 0
    assert len(listed) == 7  # 25 objects, 4 a page
    assert all(params["MaxKeys"] == 4 for params in listed)
    assert [params.get("ContinuationToken") is None for params in listed] == [True] + [False] * 6


def test_a_replay_since_a_date_does_not_download_the_days_before_it(bucket):
    s3 = journal.S3Journal()
    days = [datetime(2024, 5, d, 12, 0, tzinfo=UTC) for d in (1, 20, 30, 31)] + [datetime(2024, 6, 2, 8, tzinfo=UTC)]
    for n, when in enumerate(days, start=1):
        # As an append on that day would have named it.
        key = s3.key_for([_line(n, n, when)], now=when)
        s3.client.put_object(Bucket=s3.bucket, Key=key, Body=(_line(n, n, when) + "\n").encode())
    fetched = _calls(s3.client, "GetObject")

    lines, _ = journal.read(since=date(2024, 5, 31), journal=s3)

    assert [line.record_id for line in lines] == [4, 5]
    # The day before ``since`` is read too (a line's own offset may put it a day later than its object).
    assert [params["Key"].split("/")[1:4] for params in fetched] == [
        ["2024", "05", "30"], ["2024", "05", "31"], ["2024", "06", "02"],
    ]
    assert len(journal.read(journal=s3)[0]) == 5


def test_a_damaged_object_costs_its_own_lines_only(bucket):
    s3 = journal.S3Journal()
    s3.append([_line(1, 7, datetime(2024, 5, 1, tzinfo=UTC))])
    s3.client.put_object(Bucket=s3.bucket, Key="erasure-journal/2024/05/02/x.jsonl", Body=b'{"v": 1, "rec\xff\n')

    lines, unreadable = journal.read(since=date(2024, 1, 1), journal=s3)

    assert [line.subject_id for line in lines] == [7] and unreadable == 1


# --- replay after a restore, through the bucket ---------------------------------------------------------------


@pytest.mark.django_db
def test_replay_through_the_bucket_after_a_restore_leaves_no_identifier(bucket):
    person = person_with_copies()
    bystander = person_with_copies(tag="by")
    before = _snapshot()
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    _restore(before)
    assert person.identifiers[0] in database_text()

    out = _replay(since=f"{date.today() - timedelta(days=1):%Y-%m-%d}")

    assert "1 subject(s); 0 not in the database, 0 already erased, 1 to erase again" in out
    assert "Erased again: 1 (1 erased" in out
    text = database_text()
    assert [value for value in person.identifiers if value in text] == []
    assert all(value in text for value in bystander.identifiers)
    assert ErasureRecord.objects.get(subject_id=person.subject.pk).reason == ErasureRecord.Reason.REPLAY
    assert Suppression.objects.filter(digest=suppression_hash(person.identifiers[0])).exists()
    # The replayed erasure is journalled too (a second object), still without an identifier.
    assert len(bucket.keys()) == 2
    bucket_text = bucket.all_text().lower()
    assert [value for value in person.identifiers if value in bucket_text] == []

    again = _replay()
    assert "1 already erased, 0 to erase again" in again and "Erased again: 0" in again


@pytest.mark.django_db
def test_replay_stops_with_nothing_done_when_the_bucket_cannot_be_read(bucket, settings):
    settings.ERASURE_JOURNAL_S3_BUCKET = f"no-such-{uuid.uuid4().hex[:12]}"

    with pytest.raises(CommandError, match="could not be used"):
        _replay()

    assert not ErasureRecord.objects.exists()


# --- settings: chosen and checked at start-up -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "ERASURE_JOURNAL_S3_BUCKET must name the bucket"),
        ({"ERASURE_JOURNAL_S3_BUCKET": "s3://journal"}, "must be a bucket name"),
        ({"ERASURE_JOURNAL_S3_BUCKET": "Erasure_Journal"}, "not 'Erasure_Journal'"),
        ({"ERASURE_JOURNAL_S3_BUCKET": "ok"}, "not 'ok'"),
        ({"ERASURE_JOURNAL_S3_BUCKET": "journal", "ERASURE_JOURNAL_S3_ENDPOINT_URL": "minio:9000"},
         "ERASURE_JOURNAL_S3_ENDPOINT_URL must be an http(s):// URL"),
        ({"ERASURE_JOURNAL_S3_BUCKET": "journal", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"},
         "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together"),
    ],
    ids=["missing", "url", "uppercase", "too-short", "endpoint", "half-credentials"],
)
def test_the_s3_journal_without_a_usable_bucket_stops_start_up(tmp_path, env, message):
    done = _run(["manage.py", "check"], {"ERASURE_JOURNAL_BACKEND": S3_BACKEND, **env}, tmp_path)
    assert done.returncode != 0
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), done.stderr
    assert message in last_line


def test_the_s3_journal_settings_come_from_the_environment_and_secret_files(tmp_path):
    secret = tmp_path / "aws_secret_access_key"
    secret.write_text("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    env = {
        "ERASURE_JOURNAL_BACKEND": S3_BACKEND, "ERASURE_JOURNAL_S3_BUCKET": "registry-journal",
        "ERASURE_JOURNAL_S3_PREFIX": "/prod/journal/", "ERASURE_JOURNAL_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "ERASURE_JOURNAL_S3_REGION": "eu-north-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY_FILE": str(secret),
    }
    got = _settings(tmp_path, env, "ERASURE_JOURNAL_S3_BUCKET", "ERASURE_JOURNAL_S3_PREFIX",
                    "ERASURE_JOURNAL_S3_ENDPOINT_URL", "ERASURE_JOURNAL_S3_REGION", "ERASURE_JOURNAL_S3_ACCESS_KEY_ID",
                    "ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY")
    assert got == {
        "ERASURE_JOURNAL_S3_BUCKET": "registry-journal", "ERASURE_JOURNAL_S3_PREFIX": "prod/journal",
        "ERASURE_JOURNAL_S3_ENDPOINT_URL": "https://minio.internal:9000", "ERASURE_JOURNAL_S3_REGION": "eu-north-1",
        "ERASURE_JOURNAL_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }
    # The file journal stays the default, and needs no bucket.
    default = _settings(tmp_path, {}, "ERASURE_JOURNAL_BACKEND")["ERASURE_JOURNAL_BACKEND"]
    assert default == "retention.journal.FileJournal"
