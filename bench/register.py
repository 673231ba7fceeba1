"""Register benchmark: how the dashboard, the checks, a change form and the exports scale.

Builds a register of N processing activities (purposes, categories, vendors, systems, recipients and
transfers in realistic proportions) in a throw-away database, measures each operation's query count
and median wall time at every size in one run, and prints one JSON line per size plus a summary line
with the ratios between the largest and the smallest size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_registry .venv/bin/python bench/register.py
    .venv/bin/python bench/register.py --sizes 20 100 --repeat 1     # the tiny run CI does

Targets (issue 8): dashboard and change form run the same number of queries at every size and take
under 1 s at 10,000; checks and exports grow no worse than linearly; the 10,000-activity XLSX < 30 s.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")
os.environ.setdefault("ADMIN_REQUIRE_2FA", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from privacy_registry import models as m  # noqa: E402

SUBJECT_CATEGORIES = 12
DATA_CATEGORIES = 24
VENDORS = 300
SYSTEMS = 60
MEASURES = 15
BASES = [c for c, _ in m.LegalBasis.choices]


def build(org: m.Organisation, start: int, stop: int) -> None:
    """Add activities [start, stop) with their children, set-wise."""
    subjects = list(m.DataSubjectCategory.objects.order_by("pk"))
    data = list(m.PersonalDataCategory.objects.order_by("pk"))
    vendors = list(m.Vendor.objects.order_by("pk"))
    systems = list(m.System.objects.filter(organisation=org).order_by("pk"))
    measures = list(m.SecurityMeasure.objects.filter(organisation=org).order_by("pk"))
    countries = {c.code: c for c in m.Country.objects.filter(code__in=["US", "IN", "GB", "SE", "CN"])}
    step = 2000
    for lo in range(start, stop, step):
        hi = min(lo + step, stop)
        acts = m.ProcessingActivity.objects.bulk_create(
            m.ProcessingActivity(
                organisation=org, name=f"Activity {i:06d}", reference=f"PA-{i:06d}",
                business_function=f"Function {i % 17}", status=m.ProcessingActivity.Status.ACTIVE,
                description="Bench activity", retention_statement="2 years from last contact" if i % 3 else "",
                review_date=None, dpia_required=m.ProcessingActivity.DpiaRequired.NO,
            )
            for i in range(lo, hi)
        )
        purposes, sources, recipients, transfers = [], [], [], []
        through = {
            "subject_categories": [], "data_categories": [], "systems": [], "security_measures": [],
        }
        for n, act in enumerate(acts, start=lo):
            for k in range(2):
                basis = BASES[(n + k) % len(BASES)] if (n + k) % 11 else ""
                purposes.append(m.Purpose(
                    activity=act, description=f"Purpose {n}-{k}", legal_basis=basis, order=k,
                    lia_completed_on=None, legitimate_interest="Sales follow-up" if basis == "f" else "",
                ))
            sources.append(m.DataSource(activity=act, kind=m.DataSource.Kind.SUBJECT))
            recipients.append(m.Recipient(activity=act, kind=m.Recipient.Kind.PROCESSOR, vendor=vendors[n % VENDORS]))
            if n % 5 == 0:
                dest = list(countries.values())[n % len(countries)]
                transfers.append(m.Transfer(
                    activity=act, destination=dest, vendor=vendors[n % VENDORS],
                    mechanism=m.Transfer.Mechanism.SCC if n % 10 else "",
                ))
            T = m.ProcessingActivity
            through["subject_categories"] += [
                T.subject_categories.through(
                    processingactivity=act, datasubjectcategory=subjects[(n + j) % len(subjects)]
                )
                for j in range(2)
            ]
            through["data_categories"] += [
                T.data_categories.through(processingactivity=act, personaldatacategory=data[(n + j) % len(data)])
                for j in range(4)
            ]
            through["systems"].append(T.systems.through(processingactivity=act, system=systems[n % len(systems)]))
            through["security_measures"] += [
                T.security_measures.through(processingactivity=act, securitymeasure=measures[(n + j) % len(measures)])
                for j in range(3)
            ]
        m.Purpose.objects.bulk_create(purposes)
        m.DataSource.objects.bulk_create(sources)
        m.Recipient.objects.bulk_create(recipients)
        m.Transfer.objects.bulk_create(transfers)
        for field, rows in through.items():
            getattr(m.ProcessingActivity, field).through.objects.bulk_create(rows)


def base(org_slug: str = "bench") -> m.Organisation:
    se = m.Country.objects.get(code="SE")
    org = m.Organisation.objects.create(name="Bench Group AB", slug=org_slug, country=se, email="privacy@bench.test")
    m.PrivacyContact.objects.create(
        organisation=org, role=m.PrivacyContact.Role.DPO, name="DPO", email="dpo@bench.test"
    )
    m.DataSubjectCategory.objects.bulk_create(
        m.DataSubjectCategory(name=f"Subject category {i}", minimum_age=16 if i == 0 else None)
        for i in range(SUBJECT_CATEGORIES)
    )
    m.PersonalDataCategory.objects.bulk_create(
        m.PersonalDataCategory(name=f"Data category {i}", is_special=(i % 8 == 0)) for i in range(DATA_CATEGORIES)
    )
    ie = m.Country.objects.get(code="IE")
    us = m.Country.objects.get(code="US")
    vendors = m.Vendor.objects.bulk_create(
        m.Vendor(name=f"Vendor {i}", role=m.Vendor.Role.PROCESSOR, country=us if i % 3 == 0 else ie,
                 dpa_url="" if i % 7 == 0 else "https://vendor.test/dpa")
        for i in range(VENDORS)
    )
    m.System.objects.bulk_create(
        m.System(organisation=org, name=f"System {i}", kind=m.System.Kind.CRM, vendor=vendors[i])
        for i in range(SYSTEMS)
    )
    m.SecurityMeasure.objects.bulk_create(
        m.SecurityMeasure(organisation=org, name=f"Measure {i}", kind=m.SecurityMeasure.Kind.TECHNICAL)
        for i in range(MEASURES)
    )
    return org


def measure(fn, repeat: int) -> dict:
    times, queries = [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        queries = len(ctx.captured_queries)
    return {"queries": queries, "median_s": round(statistics.median(times), 4)}


def operations(org: m.Organisation, client: Client, outdir: Path) -> dict:
    activity = m.ProcessingActivity.objects.filter(organisation=org).order_by("pk").first()

    def get(url: str):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return run

    def command(*args):
        if args[0] not in get_commands():
            def missing():
                raise LookupError(f"no command {args[0]!r}")
            return missing

        def run():
            try:
                call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
            except SystemExit:  # registry_check exits 1 when it finds errors: expected here
                pass
            except Exception as exc:  # CommandError on findings is expected too
                if exc.__class__.__name__ != "CommandError":
                    raise
        return run

    ops = {
        "dashboard": (get("/admin/"), True),
        "change_form": (get(f"/admin/privacy_registry/processingactivity/{activity.pk}/change/"), True),
        "activity_list": (get("/admin/privacy_registry/processingactivity/"), True),
        "registry_check": (command("registry_check", "--organisation", org.slug), False),
        "export_xlsx": (command("export_ropa", "--organisation", org.slug, "--format", "xlsx",
                                "--output", str(outdir / "ropa.xlsx")), False),
        "export_pdf": (command("export_ropa", "--organisation", org.slug, "--format", "pdf",
                               "--output", str(outdir / "ropa.pdf")), False),
    }
    return ops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of the fast operations (median)")
    args = parser.parse_args()

    setup_test_environment()
    from django.contrib.auth import get_user_model

    old_name = connection.settings_dict["NAME"]
    # A database of its own, so a bench never clobbers the test suite's database.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_register_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    results = []
    try:
        org = base()
        user = get_user_model().objects.create_superuser("bench", password="bench-password-123")
        client = Client()
        client.force_login(user)
        built = 0
        with tempfile.TemporaryDirectory() as tmp:
            for size in sorted(args.sizes):
                t0 = time.perf_counter()
                build(org, built, size)
                built = size
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
                row = {"activities": size, "vendor": connection.vendor, "build_s": round(time.perf_counter() - t0, 1)}
                for name, (fn, fast) in operations(org, client, Path(tmp)).items():
                    try:
                        row[name] = measure(fn, args.repeat if fast else 1)
                    except Exception as exc:  # an operation not available yet is reported, not fatal
                        row[name] = {"error": f"{exc.__class__.__name__}: {exc}"[:200]}
                results.append(row)
                print(json.dumps(row), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    small, large = results[0], results[-1]
    summary = {"summary": f"{small['activities']} -> {large['activities']} activities"}
    for name in ("dashboard", "change_form", "activity_list", "registry_check", "export_xlsx", "export_pdf"):
        a, b = small.get(name, {}), large.get(name, {})
        if "median_s" in a and "median_s" in b:
            summary[name] = {
                "queries": [a["queries"], b["queries"]],
                "time_ratio": round(b["median_s"] / max(a["median_s"], 1e-6), 2),
                "size_ratio": round(large["activities"] / small["activities"], 2),
            }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
