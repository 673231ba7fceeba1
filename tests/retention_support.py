"""Shared builders for the retention tests: a person with every kind of copy of their data, and ways to read
the whole database back as text to look for them."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from privacy_registry.models import Country
from retention.models import LegalHold, RetentionRule
from subjects.models import DataSubject, SuppressionOverride
from tests import factories as f


@dataclass
class Person:
    subject: DataSubject
    identifiers: list[str]


def person_with_copies(*, activity=None, tag: str = "zq", last_contact_on: date = date(2019, 3, 14)) -> Person:
    """A subject whose identity sits in every place the engine must reach: live row, several historical rows
    (a moved address), an engagement, a system record (an outside id), a suppression override's reason, a
    released legal hold's reason, and the admin's log (an old ``object_repr`` and a change message)."""
    first, last = f"Zelphine{tag}", f"Quarrington{tag}"
    email = f"{first}.{last}@Example.org"
    phone = f"+46 70 {abs(hash(tag)) % 10_000_000:07d}"
    external_id = f"hubspot-{tag}-4242"
    subject = f.DataSubjectFactory(
        first_name=first, last_name=last, email=email, phone=phone, city=f"Umea{tag}",
        street_address=f"Storgatan {tag}",
        **({"organisation": activity.organisation} if activity is not None else {}),
    )
    subject.city = f"Lulea{tag}"  # a second historical row, holding the old city and the identity again
    subject.save()
    engagement_kwargs = {"activity": activity} if activity is not None else {}
    f.EngagementFactory(subject=subject, last_contact_on=last_contact_on, collected_on=date(2017, 1, 2),
                        **engagement_kwargs)
    f.SystemRecordFactory(subject=subject, external_id=external_id)
    staff = f.UserFactory()
    SuppressionOverride.objects.create(
        digest="0" * 64, kind="email", suppressed_at=subject.created_at, subject=subject, overridden_by=staff,
        reason=f"{first} {last} asked to be re-registered",
    )
    LegalHold.objects.create(subject=subject, reason=f"Claim by {first} {last}", released_at=subject.created_at)
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(DataSubject, for_concrete_model=False),
        object_id=str(subject.pk), object_repr=f"{first} {last} <{email}>", action_flag=CHANGE,
        change_message=f"Changed e-mail to {email} for {first}",
    )
    return Person(subject, [email.lower(), first.lower(), last.lower(), phone.lower(), external_id.lower(),
                            f"umea{tag}", f"lulea{tag}", f"storgatan {tag}"])


def rule_for(activity, **kwargs) -> RetentionRule:
    return f.RetentionRuleFactory(activity=activity, **kwargs)


def table_texts() -> dict[str, str]:
    """Every row of every table as text, lower-cased, by table: what a dump of this database would show."""
    texts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            texts[table] = " ".join(str(value) for row in cursor.fetchall() for value in row).lower()
    return texts


def database_text() -> str:
    return "\n".join(table_texts().values())


def pg_dump_text() -> str:
    """``pg_dump --data-only`` of the test database, lower-cased (committed data only)."""
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for this test on PostgreSQL"
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    command = [pg_dump, "--data-only", "--no-owner", "--dbname", s["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            command += [flag, str(s[key])]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=120)
    return result.stdout.lower()


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def ci_uses_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def ensure_countries() -> None:
    """The countries the factories use. A transactional test runs on a flushed database, where the rows the data
    migration loaded are gone (``serialized_rollback`` would restore them, but clashes with the content types a
    flush before it re-creates), so such a test adds back what it needs."""
    for code, name, is_eea in (("SE", "Sweden", True), ("IE", "Ireland", True), ("US", "United States", False)):
        Country.objects.get_or_create(code=code, defaults={"name": name, "is_eea": is_eea})
