"""Retention sweep benchmark: the product's set-wise sweep against per-object erasure and a hand-written SQL floor.

PostgreSQL only. Builds N data subjects set-wise (INSERT … SELECT generate_series) in a throw-away database
(``create_test_db`` under a unique name, so the test database is never touched): one organisation, one
processing activity, one rule "2 years from last contact, erase", one engagement per subject, 10% of them due,
and about 1.5 historical rows per subject (one "+" row each, a "~" row for half of them; written straight into
the historical table). Each measurement gets its own copy of that data (``CREATE DATABASE … TEMPLATE``), so every
one starts from the same rows and commits for real:

 (a) the product's sweep (``retention.services.sweep_run``, with its default ``RETENTION_SWEEP_WORKERS`` chunks at
     once; at N it is also run with one worker, chunk after chunk on one connection as the floor runs, and both
     are printed), end to end: history scrub, erasure records with
     receipts, suppression entries, the hooks registered at start-up (the journal goes to a temporary file of
     the bench's own, ``ERASURE_JOURNAL_PATH``, removed at the end). It runs in a child process, at N
     and at N/10, so the child's peak RSS (``ru_maxrss``) measures the sweep alone and the two sizes compare.
     Queries are counted per batch (``engine.sweep_rule_batch``) with an execute wrapper that stores nothing.
 (b) per-object ORM erasure as per-object libraries do it: per subject, in its own transaction, load, scrub,
     ``save()`` (simple-history writes a row), scrub and ``save()`` every older historical row, delete the
     engagement with ``delete()`` and then its historical rows, save the suppression entries and an erasure
     log row. Timed on a sample (``--sample``, default 500) and EXTRAPOLATED linearly to every due subject.
 (c) the floor: hand-written SQL with the same effects, in one transaction, committed, on its own copy: a temp
     table of the due ids, INSERT … SELECT the erasure records (same receipts, counts computed in SQL),
     INSERT … SELECT the suppression entries (keyed hashes computed by pgcrypto's ``hmac()`` when that
     extension can be created in the throw-away database, else computed in Python and sent as arrays, and the
     output says which), UPDATE the subjects, UPDATE their historical rows, DELETE the engagements and their
     historical rows.

Prints one JSON line per measurement as it goes, then the result line (``"result": true``): rows, seconds for
a, b, c, ``speedup_vs_per_object`` (b/a), ``over_floor`` (a/c), peak RSS of the sweep at N and N/10, queries per
batch, and the targets with whether each was met.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_registry .venv/bin/python bench/sweep.py
    DATABASE_URL=postgres://… .venv/bin/python bench/sweep.py --subjects 100000      # a smaller run

Targets (issue "Benchmarks"): b/a >= 50, a/c <= 1.3, peak RSS at N within 1.2x of N/10.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")
os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory: no RSS measurement survives that
# The sweep's journal hook writes a line per erasure: to a file of the bench's own, never the project's journal.
if "--child-sweep" not in sys.argv:
    os.environ["ERASURE_JOURNAL_PATH"] = str(Path(tempfile.mkdtemp(prefix="bench-sweep-")) / "journal.jsonl")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

AS_OF = date(2025, 6, 1)
DUE_CONTACT = "2021-03-01"  # more than two years before AS_OF
RECENT_CONTACT = "2025-01-15"
TARGETS = {"speedup_vs_per_object": 50, "over_floor": 1.3, "rss_ratio": 1.2}


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def refuse_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        sys.exit(
            "bench/sweep.py runs on PostgreSQL only (the sweep's set-wise path and the floor are PostgreSQL SQL): "
            f"DATABASE_URL points at {connection.vendor}. Set DATABASE_URL=postgres://…"
        )


# --- building the data -----------------------------------------------------------------------------------------


def _tables():
    from retention.models import ErasureRecord
    from subjects.models import DataSubject, Engagement, Suppression

    return {
        "subject": DataSubject._meta.db_table,
        "subject_history": DataSubject.history.model._meta.db_table,
        "engagement": Engagement._meta.db_table,
        "engagement_history": Engagement.history.model._meta.db_table,
        "record": ErasureRecord._meta.db_table,
        "suppression": Suppression._meta.db_table,
    }


def setup_register() -> dict:
    """The organisation, the activity and the rule: through the ORM, they are three rows."""
    from privacy_registry.models import Country, Organisation, ProcessingActivity
    from retention.models import PeriodUnit, RetentionRule

    org = Organisation.objects.create(name="Bench AB", slug="bench", country=Country.objects.get(code="SE"))
    activity = ProcessingActivity.objects.create(
        organisation=org, name="Prospects", status=ProcessingActivity.Status.ACTIVE, description="Bench prospects."
    )
    rule = RetentionRule.objects.create(
        activity=activity, period_amount=2, period_unit=PeriodUnit.YEARS,
        trigger=RetentionRule.Trigger.LAST_CONTACT, action=RetentionRule.Action.ERASE,
        statement="Kept two years from the last contact, then deleted.",
    )
    return {"org": org.pk, "activity": activity.pk, "rule": rule.pk}


def grow(ids: dict, start: int, stop: int) -> None:
    """Subjects g in [start, stop), their engagements and historical rows: one statement per table per 200,000.

    Due: g % 10 == 0 (10%). A second ("~") historical row: g % 4 < 2 (50%, due subjects alike)."""
    t = _tables()
    step = 200_000
    with connection.cursor() as cursor:
        for lo in range(start, stop, step):
            hi = min(lo + step, stop) - 1
            cursor.execute(
                f"""
                INSERT INTO {t['subject']} (id, public_ref, organisation_id, first_name, last_name, email, phone,
                    company, job_title, language, street_address, postal_code, city, country_id, state,
                    created_at, updated_at)
                SELECT g, gen_random_uuid(), %s, 'First' || g, 'Last' || g, 'person' || g || '@example.org',
                    '+46 70 ' || g, 'Company ' || (g %% 5000), 'Buyer', 'sv', 'Storgatan ' || g, '11' || (g %% 900),
                    'Umea', NULL, 'active', now(), now()
                FROM generate_series(%s, %s) AS g
                """,
                [ids["org"], lo + 1, hi + 1],
            )
            cursor.execute(
                f"""
                INSERT INTO {t['engagement']} (subject_id, activity_id, collected_on, last_contact_on, created_at,
                    updated_at)
                SELECT g, %s, DATE '2019-01-01', CASE WHEN g %% 10 = 0 THEN DATE %s ELSE DATE %s END, now(), now()
                FROM generate_series(%s, %s) AS g
                """,
                [ids["activity"], DUE_CONTACT, RECENT_CONTACT, lo + 1, hi + 1],
            )
            for kind, condition, city in (("+", "TRUE", "'Lulea'"), ("~", "s.id %% 4 < 2", "'Umea'")):
                cursor.execute(
                    f"""
                    INSERT INTO {t['subject_history']} (id, public_ref, organisation_id, first_name, last_name,
                        email, phone, company, job_title, language, street_address, postal_code, city, country_id,
                        state, created_at, updated_at, history_date, history_change_reason, history_type,
                        history_user_id)
                    SELECT s.id, s.public_ref, s.organisation_id, s.first_name, s.last_name, s.email, s.phone,
                        s.company, s.job_title, s.language, s.street_address, s.postal_code, {city}, s.country_id,
                        s.state, s.created_at, s.updated_at, now(), 'imported', %s, NULL
                    FROM {t['subject']} s
                    WHERE s.id BETWEEN %s AND %s AND {condition}
                    """,
                    [kind, lo + 1, hi + 1],
                )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{t['subject']}', 'id'), %s)", [stop])
        for table in (t["subject"], t["engagement"], t["subject_history"]):
            cursor.execute(f"VACUUM ANALYZE {table}")


def row_counts() -> dict:
    t = _tables()
    with connection.cursor() as cursor:
        counts = {}
        for name in ("subject", "subject_history", "engagement", "record", "suppression"):
            cursor.execute(f"SELECT count(*) FROM {t[name]}")
            counts[name] = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {t['subject']} WHERE state = 'erased'")
        counts["erased"] = cursor.fetchone()[0]
    return counts


# --- copies of the built database -----------------------------------------------------------------------------


def clone(template: str, name: str) -> None:
    """A fresh copy of the built data: ``CREATE DATABASE … TEMPLATE`` (nobody may be connected to the template)."""
    connections.close_all()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop(name: str) -> None:
    connections.close_all()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use(name: str) -> None:
    connections.close_all()
    connection.settings_dict["NAME"] = name


# --- (a) the product's sweep, in a child process ----------------------------------------------------------------


def child_sweep(database: str, chunk_size: int | None) -> None:
    """Runs in a fresh interpreter: the product's sweep on ``database``; prints one JSON line."""
    use(database)
    from retention import engine, services

    queries = {"total": 0}
    per_batch: list[int] = []
    slowest: dict[str, float] = {}
    lock = threading.Lock()  # chunks run on RETENTION_SWEEP_WORKERS threads, each with its own connection

    in_batch = threading.local()

    def counting(tally: list[int], *, outer: bool = False):
        def counter(execute, sql, params, many, context):
            if outer and getattr(in_batch, "active", False):  # the batch's own wrapper counts it
                return execute(sql, params, many, context)
            tally[0] += 1
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = time.perf_counter() - t0
                with lock:
                    queries["total"] += 1
                    slowest[sql[:160]] = slowest.get(sql[:160], 0.0) + spent
        return counter

    original = engine.sweep_rule_batch

    def counted_batch(**kwargs):
        tally = [0]
        in_batch.active = True
        try:
            with connection.execute_wrapper(counting(tally)):  # this thread's connection
                return original(**kwargs)
        finally:
            in_batch.active = False
            with lock:
                per_batch.append(tally[0])

    engine.sweep_rule_batch = counted_batch
    connection.ensure_connection()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with connection.execute_wrapper(counting([0], outer=True)):
        t0 = time.perf_counter()
        run = services.sweep_run(as_of=AS_OF, chunk_size=chunk_size)
        seconds = time.perf_counter() - t0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for sql, spent in sorted(slowest.items(), key=lambda kv: -kv[1])[:6]:
        log(f"{spent:7.3f}s in: {' '.join(sql.split())}")
    print(json.dumps({
        "seconds": seconds, "status": run.status, "totals": run.totals(), "batches": len(per_batch),
        "queries_per_batch": sorted(set(per_batch)), "queries_total": queries["total"],
        "chunk_size": run.chunk_size, "workers": services._sweep_workers(), "rss_peak_kb": rss_peak,
        "rss_before_sweep_kb": rss_before,
        "journal_hooks": len(engine._journal_hooks), "erased_hooks": len(engine._erased_hooks),
    }), flush=True)


def run_product_sweep(database: str, chunk_size: int | None, workers: int | None = None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child-sweep", database]
    if chunk_size:
        command += ["--chunk-size", str(chunk_size)]
    env = os.environ.copy()
    if workers:
        env["RETENTION_SWEEP_WORKERS"] = str(workers)
    connections.close_all()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the sweep's child process failed ({done.returncode})")
    for line in done.stderr.splitlines():
        if line.startswith("# "):
            log(line[2:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- (b) per-object erasure, on a sample -----------------------------------------------------------------------


def per_object(ids: dict, sample: int) -> dict:
    """What a per-object library does for each subject; one transaction per subject."""
    from retention.models import ErasureRecord
    from subjects import personal_data
    from subjects.keyed_hash import suppression_digests
    from subjects.models import DataSubject, Engagement, Suppression

    declaration = personal_data.declaration_for(DataSubject)
    due_ids = list(
        Engagement.objects.filter(activity_id=ids["activity"], last_contact_on__lte=DUE_CONTACT)
        .order_by("subject_id").values_list("subject_id", flat=True)[:sample]
    )
    t0 = time.perf_counter()
    for subject_id in due_ids:
        with transaction.atomic():
            subject = DataSubject.objects.select_for_update().get(pk=subject_id)
            receipt = {"action": "erase", "tables": {}}
            for digest, kind in suppression_digests(email=subject.email, phone=subject.phone).items():
                Suppression(digest=digest, kind=kind).save()
            for engagement in Engagement.objects.filter(subject_id=subject_id):
                engagement._change_reason = "erase"
                engagement.delete()
            deleted, _ = Engagement.history.filter(subject_id=subject_id).delete()
            changed = declaration.scrub_instance(subject)
            subject.state = DataSubject.State.ERASED
            subject._change_reason = "erase"
            subject.save(update_fields=[*changed, "state", "updated_at"])  # one more historical row
            older = 0
            for row in subject.history.all():
                if declaration.scrub_instance(row):
                    row.save()
                older += 1
            receipt["tables"] = {"subjects_datasubject": {"rows": 1}, "subjects_historicaldatasubject": {"rows": older},
                                 "subjects_engagement": {"rows": 1}, "subjects_historicalengagement": {"rows": deleted}}
            ErasureRecord.objects.create(subject_id=subject_id, action="erase", reason="retention",
                                         rule_id=ids["rule"], receipt=receipt)
    return {"sample": len(due_ids), "seconds": time.perf_counter() - t0}


# --- (c) the floor -----------------------------------------------------------------------------------------------


def floor(ids: dict) -> dict:
    """The same effects as the sweep, by hand, in one transaction."""
    from retention import engine
    from retention.models import RetentionRule
    from subjects.keyed_hash import suppression_digests

    t = _tables()
    rule = RetentionRule.objects.get(pk=ids["rule"])
    cutoff = rule.cutoff(AS_OF)
    steps = engine.plan("erase")
    template = engine.receipt_template(steps)
    try:  # autocommit: a refusal leaves no broken transaction behind
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        pgcrypto = True
    except Exception:  # noqa: BLE001  (no pgcrypto on this server: digests from Python, said in the output)
        pgcrypto = False
    key = settings.SUPPRESSION_HMAC_KEY
    subject_fields = template[t["subject"]]["fields"]
    history_fields = template[t["subject_history"]]["fields"]

    def receipt_sql() -> str:
        parts = []
        for table, spec in template.items():
            count = {
                t["subject"]: "1", t["subject_history"]: "coalesce(h.n, 0)", t["engagement"]: "coalesce(e.n, 0)",
                t["engagement_history"]: "coalesce(eh.n, 0)", t["suppression"]: "sup.n",
            }.get(table, "0")
            parts.append(f"'{table}', jsonb_build_object('rows', {count}) || '{json.dumps(spec)}'::jsonb")
        return f"jsonb_build_object('action', 'erase', 'tables', jsonb_build_object({', '.join(parts)}))"

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMP TABLE due ON COMMIT DROP AS
                SELECT e.subject_id AS id, s.email, s.phone FROM {t['engagement']} e
                JOIN {t['subject']} s ON s.id = e.subject_id
                WHERE e.activity_id = %s AND e.last_contact_on <= %s AND s.state <> 'erased'""",
            [ids["activity"], cutoff],
        )
        cursor.execute("ALTER TABLE due ADD PRIMARY KEY (id)")
        if pgcrypto:
            # Same normalisation as subjects.keyed_hash for these e-mails and phones ("+46 70 123" → "+4670123").
            cursor.execute(
                f"""INSERT INTO {t['suppression']} (digest, kind, reason, created_at)
                    SELECT encode(hmac(convert_to('suppression.' || kind || chr(31) || value, 'UTF8'),
                                       convert_to(%s, 'UTF8'), 'sha256'), 'hex'), kind, 'erasure', now()
                    FROM due, LATERAL (VALUES ('email', lower(btrim(email))),
                                              ('phone', '+' || regexp_replace(phone, '[^0-9]', '', 'g'))) v(kind, value)
                    ON CONFLICT (digest) DO NOTHING""",
                [key],
            )
        else:
            cursor.execute("SELECT email, phone FROM due")
            digests = {}
            for email, phone in cursor.fetchall():
                digests.update(suppression_digests(email=email, phone=phone))
            cursor.execute(
                f"""INSERT INTO {t['suppression']} (digest, kind, reason, created_at)
                    SELECT d, k, 'erasure', now() FROM unnest(%s::text[], %s::text[]) AS u(d, k)
                    ON CONFLICT (digest) DO NOTHING""",
                [list(digests), list(digests.values())],
            )
        cursor.execute(
            f"""INSERT INTO {t['record']} (subject_id, erased_at, action, reason, rule_id, run_id, actor_id,
                    request_ref, receipt)
                SELECT due.id, now(), 'erase', 'retention', %s, NULL, NULL, '', {receipt_sql()}
                FROM due
                LEFT JOIN (SELECT id, count(*) n FROM {t['subject_history']} WHERE id IN (SELECT id FROM due)
                           GROUP BY id) h ON h.id = due.id
                LEFT JOIN (SELECT subject_id, count(*) n FROM {t['engagement']}
                           WHERE subject_id IN (SELECT id FROM due) GROUP BY subject_id) e ON e.subject_id = due.id
                LEFT JOIN (SELECT subject_id, count(*) n FROM {t['engagement_history']}
                           WHERE subject_id IN (SELECT id FROM due) GROUP BY subject_id) eh ON eh.subject_id = due.id,
                LATERAL (SELECT (due.email <> '')::int + (due.phone <> '')::int AS n) sup""",
            [ids["rule"]],
        )

        def sets(fields: dict, alias: str) -> str:
            out = []
            for name, how in fields.items():
                column = "country_id" if name == "country" else name
                if how == "pseudonym":
                    out.append(f"{column} = 'erased-' || {alias}.id || '@invalid'")
                elif how == "null":
                    out.append(f"{column} = NULL")
                else:
                    out.append(f"{column} = ''")
            return ", ".join(out)

        cursor.execute(
            f"UPDATE {t['subject']} s SET {sets(subject_fields, 's')}, state = 'erased', updated_at = now() "
            f"FROM due WHERE s.id = due.id"
        )
        cursor.execute(f"UPDATE {t['subject_history']} h SET {sets(history_fields, 'h')} FROM due WHERE h.id = due.id")
        cursor.execute(f"DELETE FROM {t['engagement']} e USING due WHERE e.subject_id = due.id")
        cursor.execute(f"DELETE FROM {t['engagement_history']} e USING due WHERE e.subject_id = due.id")
    return {"seconds": time.perf_counter() - t0, "suppression_digests": "pgcrypto hmac() in SQL" if pgcrypto
            else "computed in Python, sent as arrays"}


# --- the run -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1_000_000, help="N (default 1,000,000); N/10 is run too")
    parser.add_argument("--sample", type=int, default=500, help="subjects erased per object for (b)")
    parser.add_argument("--chunk-size", type=int, default=None, help="sweep chunk size (default: the setting)")
    parser.add_argument("--child-sweep", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    refuse_unless_postgresql()
    if args.child_sweep:
        child_sweep(args.child_sweep, args.chunk_size)
        return

    from django.test.utils import setup_test_environment

    setup_test_environment()
    n, small = args.subjects, max(args.subjects // 10, 10)
    base = f"bench_sweep_{os.getpid()}"
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = base
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    copies = []
    try:
        ids = setup_register()
        results = {}
        for size, start in ((small, 0), (n, small)):
            t0 = time.perf_counter()
            use(base)
            grow(ids, start, size)
            built = row_counts()
            log(f"built {size} subjects in {time.perf_counter() - t0:.1f}s: {built}")
            copy = f"{base}_a_{size}"
            copies.append(copy)
            clone(base, copy)
            a = run_product_sweep(copy, args.chunk_size)
            use(copy)
            after = row_counts()
            drop(copy)
            a.update(subjects=size, due=size // 10, after=after)
            print(json.dumps({"measure": "a", **a}), flush=True)
            results[size] = {"a": a, "built": built}
        if results[n]["a"]["workers"] > 1:
            # The same sweep with its chunks one after another, on one connection, as the floor runs.
            copy = f"{base}_a1"
            copies.append(copy)
            clone(base, copy)
            a1 = run_product_sweep(copy, args.chunk_size, workers=1)
            drop(copy)
            print(json.dumps({"measure": "a, one worker", **a1}), flush=True)
        else:
            a1 = results[n]["a"]

        for name in ("b", "c"):
            copy = f"{base}_{name}"
            copies.append(copy)
            clone(base, copy)
            use(copy)
            if name == "b":
                b = per_object(ids, args.sample)
                b["extrapolated_seconds"] = b["seconds"] / b["sample"] * (n // 10)
                print(json.dumps({"measure": "b", **b}), flush=True)
            else:
                c = floor(ids)
                c["after"] = row_counts()
                print(json.dumps({"measure": "c", **c}), flush=True)
            drop(copy)

        a_big, a_small = results[n]["a"], results[small]["a"]
        result = {
            "result": True,
            "rows": {"subjects": n, "due": n // 10, "history_rows": results[n]["built"]["subject_history"]},
            "seconds": {"a": round(a_big["seconds"], 2), "b": round(b["extrapolated_seconds"], 1),
                        "c": round(c["seconds"], 2)},
            "b_is": f"extrapolated from {b['sample']} subjects erased per object in {b['seconds']:.2f}s",
            "c_is": "one committed transaction on its own copy of the data; suppression digests "
                    + c["suppression_digests"],
            "speedup_vs_per_object": round(b["extrapolated_seconds"] / a_big["seconds"], 1),
            "over_floor": round(a_big["seconds"] / c["seconds"], 2),
            "workers": a_big["workers"],
            "one_worker": {"a": round(a1["seconds"], 2),
                           "speedup_vs_per_object": round(b["extrapolated_seconds"] / a1["seconds"], 1),
                           "over_floor": round(a1["seconds"] / c["seconds"], 2)},
            "peak_rss_mb": {"N": round(a_big["rss_peak_kb"] / 1024, 1),
                            "N/10": round(a_small["rss_peak_kb"] / 1024, 1)},
            "rss_ratio": round(a_big["rss_peak_kb"] / a_small["rss_peak_kb"], 3),
            "queries_per_batch": a_big["queries_per_batch"],
            "batches": a_big["batches"],
            "chunk_size": a_big["chunk_size"],
            "sweep_status": a_big["status"],
        }
        result["targets_met"] = {
            "speedup_vs_per_object>=50": result["speedup_vs_per_object"] >= TARGETS["speedup_vs_per_object"],
            "over_floor<=1.3": result["over_floor"] <= TARGETS["over_floor"],
            "rss_ratio<=1.2": result["rss_ratio"] <= TARGETS["rss_ratio"],
        }
        print(json.dumps(result), flush=True)
    finally:
        shutil.rmtree(Path(os.environ["ERASURE_JOURNAL_PATH"]).parent, ignore_errors=True)
        for copy in copies:
            drop(copy)
        use(base)
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
