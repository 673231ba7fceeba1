"""Run (or preview) the retention sweep by hand: the same service the nightly Celery task runs.

Exits 2, with one line and nothing started, on a bad argument: a date that is not YYYY-MM-DD or is outside
1900-01-01 .. 2999-12-31, a chunk size below one, or a cutoff after today for an acting run without
``--allow-future-as-of --reason "…"`` (the override, and the operating-system account that gave it, are
recorded on the run). Exits 1 when the run failed (chunks rolled back, or rules that could not be swept; the
other rules were swept: run it again once fixed), 0 when it ran, was locked out by a sweep already running, or
waits for a DPO's approval (each is said in the output).

Run by hand, it also closes an acting run that a killed worker left "running" (see the README, recovery).
"""
from __future__ import annotations

import getpass
import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from retention import services
from retention.models import RetentionRule, SweepRun

# The exit status of a refused argument, as argparse's own: the command did not start.
BAD_ARGUMENT = 2


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--as-of takes a date as YYYY-MM-DD, not %(value)r.") % {"value": value},
                           returncode=BAD_ARGUMENT) from exc


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(_("--chunk-size takes a whole number of at least 1, not %(value)r.") % {"value": value},
                           returncode=BAD_ARGUMENT)
    return number


def _os_account() -> str:
    """Who runs the command, as the operating system knows them (there is no signed-in user here)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


class Command(BaseCommand):
    help = "Erase, anonymise or restrict what the retention rules say is due. --dry-run only counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due and show a sample; change nothing.",
        )
        # Parsed in handle(), not by argparse's type=: a refusal there is one line and exit 2 however the command
        # is called (an error raised from a type= function escapes manage.py as a traceback).
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help="The cutoff day (default: today). After today only with --dry-run, or with "
                                 "--allow-future-as-of and --reason.")
        parser.add_argument("--chunk-size", metavar="N", help="Subjects per transaction.")
        parser.add_argument(
            "--allow-future-as-of", action="store_true",
            help="Act on a cutoff after today, which erases people before their rules say. Needs --reason; both "
                 "are recorded on the run with your operating-system account.",
        )
        parser.add_argument("--reason", default="", help="Why the cutoff is after today (with --allow-future-as-of).")

    def handle(self, *args, **options) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] is not None else None
        chunk_size = _positive(options["chunk_size"]) if options["chunk_size"] is not None else None
        future_as_of = None
        if options["allow_future_as_of"]:
            if not options["reason"].strip():
                raise CommandError(_("--allow-future-as-of needs --reason \"…\": why the cutoff is after today."),
                                   returncode=BAD_ARGUMENT)
            future_as_of = services.FutureAsOf(by=_os_account(), reason=options["reason"])
        elif options["reason"]:
            raise CommandError(_("--reason goes with --allow-future-as-of."), returncode=BAD_ARGUMENT)
        try:
            run = services.sweep_run(as_of=as_of, dry_run=options["dry_run"], chunk_size=chunk_size,
                                     future_as_of=future_as_of)
        except services.SweepRefused as exc:
            message = str(exc)
            if exc.code == "future_as_of":
                message += " " + _("Here: --allow-future-as-of --reason \"…\".")
            raise CommandError(message, returncode=BAD_ARGUMENT) from exc
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
        if run.status == SweepRun.Status.EXCEEDS_APPROVAL:
            raise CommandError(run.error)
        rules = RetentionRule.objects.select_related("activity").in_bulk([int(pk) for pk in run.counts])
        heading = _("Preview as of %(date)s") if run.dry_run else _("Sweep as of %(date)s")
        self.stdout.write(self.style.MIGRATE_HEADING(heading % {"date": run.as_of.isoformat()}))
        if run.future_as_of_by:
            self.stdout.write(self.style.WARNING(_("Cutoff after today, allowed by %(by)s: %(reason)s") % {
                "by": run.future_as_of_by, "reason": run.future_as_of_reason,
            }))
        for rule_id, counts in run.counts.items():
            rule = rules.get(int(rule_id))
            label = f"#{rule_id} {rule.activity.name}: {rule.describe()}" if rule else f"#{rule_id}"
            shown = ", ".join(f"{key} {value}" for key, value in counts.items() if value)
            self.stdout.write(f"  {label}\n    {shown or _('nothing due')}")
            if rule_id in run.rule_errors:
                self.stdout.write(self.style.ERROR(
                    "    " + _("not swept: %(why)s") % {"why": run.rule_errors[rule_id]}
                ))
            if run.dry_run and run.sample.get(rule_id):
                ids = ", ".join(f"#{pk}" for pk in run.sample[rule_id])
                self.stdout.write(f"    {_('sample of subjects')}: {ids}")
        totals = ", ".join(f"{key} {value}" for key, value in run.totals().items() if value) or _("nothing due")
        if run.status == SweepRun.Status.FAILED:
            self.stdout.write(run.error)
            if run.rule_errors:
                message = _("Sweep run #%(id)s failed: %(n)d rule(s) could not be swept (the others were: "
                            "%(totals)s). Correct them and run it again.")
            else:
                message = _("Sweep run #%(id)s failed: %(totals)s. Run it again.")
            raise CommandError(message % {"id": run.pk, "totals": totals, "n": len(run.rule_errors)})
        self.stdout.write(self.style.SUCCESS(_("Run #%(id)s: %(totals)s.") % {"id": run.pk, "totals": totals}))
