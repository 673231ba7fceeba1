"""Subject changelist benchmark: the admin list at 10,000 and at 1,000,000 subjects.

Builds the subjects set-wise in a throw-away PostgreSQL database (INSERT … SELECT generate_series),
then, at each size in one run, measures the first page, a state filter and an e-mail search: query
count and median wall time. Prints one JSON line per size and a summary with time(large)/time(small).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_registry .venv/bin/python bench/admin_list.py
    .venv/bin/python bench/admin_list.py --sizes 200 2000 --repeat 2     # tiny run

Target (DESIGN.md budgets): a fixed number of queries per page whatever the row count, and
time(1M) / time(10k) <= 1.5 (no exact COUNT(*) on every page view, search served by an index).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")
os.environ.setdefault("ADMIN_REQUIRE_2FA", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from privacy_registry.models import Country, Organisation  # noqa: E402
from subjects.models import DataSubject  # noqa: E402

LIST_URL = "/admin/subjects/datasubject/"
SEARCH_URL = "/admin/subjects/datasubject/search/"


def grow(org_id: int, start: int, stop: int) -> None:
    """Subjects [start, stop): one statement per 200,000 rows, done in the database."""
    table = DataSubject._meta.db_table
    step = 200_000
    with connection.cursor() as cursor:
        for lo in range(start, stop, step):
            hi = min(lo + step, stop)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"""
                    INSERT INTO {table} (public_ref, organisation_id, first_name, last_name, email, phone, company,
                        job_title, language, street_address, postal_code, city, country_id, state,
                        created_at, updated_at)
                    SELECT gen_random_uuid(), %s, 'First' || g, 'Last' || g, 'person' || g || '@example.org',
                        '+46 70 ' || g, 'Company ' || (g %% 5000), '', 'sv', '', '', '', NULL,
                        CASE WHEN g %% 50 = 0 THEN 'restricted' ELSE 'active' END, now(), now()
                    FROM generate_series(%s, %s) AS g
                    """,
                    [org_id, lo, hi - 1],
                )
            else:
                DataSubject.objects.bulk_create(
                    DataSubject(organisation_id=org_id, first_name=f"First{g}", last_name=f"Last{g}",
                                email=f"person{g}@example.org", language="sv",
                                state="restricted" if g % 50 == 0 else "active")
                    for g in range(lo, hi)
                )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")


def measure(client: Client, url: str, repeat: int) -> dict:
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return {"queries": queries, "median_s": round(statistics.median(times), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    setup_test_environment()
    from django.contrib.auth import get_user_model

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_admin_list_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    results = []
    try:
        org = Organisation.objects.create(name="Bench AB", slug="bench", country=Country.objects.get(code="SE"))
        user = get_user_model().objects.create_superuser("bench", password="bench-password-123")
        client = Client()
        client.force_login(user)
        built = 0
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            grow(org.pk, built, size)
            built = size
            probe = f"person{size // 2}@example.org"
            row = {"subjects": size, "vendor": connection.vendor, "build_s": round(time.perf_counter() - t0, 1)}
            row["first_page"] = measure(client, LIST_URL, args.repeat)
            row["filter_state"] = measure(client, f"{LIST_URL}?state__exact=restricted", args.repeat)
            # The search box posts the term; the list is then read through the token it redirects to.
            searched = client.post(SEARCH_URL, {"q": probe})
            assert searched.status_code == 302, searched.status_code
            row["search_email"] = measure(client, searched["Location"], args.repeat)
            results.append(row)
            print(json.dumps(row), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    small, large = results[0], results[-1]
    summary = {"summary": f"{small['subjects']} -> {large['subjects']} subjects"}
    for name in ("first_page", "filter_state", "search_email"):
        summary[name] = {
            "queries": [small[name]["queries"], large[name]["queries"]],
            "time_ratio": round(large[name]["median_s"] / max(small[name]["median_s"], 1e-6), 2),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
