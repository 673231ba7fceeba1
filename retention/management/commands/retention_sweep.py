"""Run (or preview) the retention sweep by hand: the same service the nightly Celery task runs.

Exits 1 when chunks failed (they were rolled back; run it again), 0 when it ran, was locked out by a sweep
already running, or waits for a DPO's approval (each is said in the output).
"""
from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from retention import services
from retention.models import RetentionRule, SweepRun


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--as-of takes a date as YYYY-MM-DD, not %(value)r.") % {"value": value}) from exc


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(_("--chunk-size takes a whole number of at least 1, not %(value)r.") % {"value": value})
    return number


class Command(BaseCommand):
    help = "Erase, anonymise or restrict what the retention rules say is due. --dry-run only counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due and show a sample; change nothing.",
        )
        parser.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="The cutoff day (default: today).")
        parser.add_argument("--chunk-size", type=_positive, metavar="N", help="Subjects per transaction.")

    def handle(self, *args, **options) -> None:
        run = services.sweep_run(
            as_of=options["as_of"], dry_run=options["dry_run"], chunk_size=options["chunk_size"],
        )
        if run.status == SweepRun.Status.LOCKED_OUT:
            self.stdout.write(self.style.WARNING(_("Another sweep is running: this one did nothing (run #%(id)s).")
                                                 % {"id": run.pk}))
            return
        if run.status == SweepRun.Status.AWAITING_APPROVAL:
            self.stdout.write(self.style.WARNING(
                _("Approval is required and no approved preview is waiting: nothing was done (run #%(id)s).")
                % {"id": run.pk}
            ))
            return
        rules = RetentionRule.objects.select_related("activity").in_bulk([int(pk) for pk in run.counts])
        heading = _("Preview as of %(date)s") if run.dry_run else _("Sweep as of %(date)s")
        self.stdout.write(self.style.MIGRATE_HEADING(heading % {"date": run.as_of.isoformat()}))
        for rule_id, counts in run.counts.items():
            rule = rules.get(int(rule_id))
            label = f"#{rule_id} {rule.activity.name}: {rule.describe()}" if rule else f"#{rule_id}"
            shown = ", ".join(f"{key} {value}" for key, value in counts.items() if value)
            self.stdout.write(f"  {label}\n    {shown or _('nothing due')}")
            if run.dry_run and run.sample.get(rule_id):
                ids = ", ".join(f"#{pk}" for pk in run.sample[rule_id])
                self.stdout.write(f"    {_('sample of subjects')}: {ids}")
        totals = ", ".join(f"{key} {value}" for key, value in run.totals().items() if value) or _("nothing due")
        if run.status == SweepRun.Status.FAILED:
            self.stdout.write(run.error)
            message = _("Sweep run #%(id)s failed: %(totals)s. Run it again.")
            raise CommandError(message % {"id": run.pk, "totals": totals})
        self.stdout.write(self.style.SUCCESS(_("Run #%(id)s: %(totals)s.") % {"id": run.pk, "totals": totals}))
