"""After restoring a backup: erase again everyone the erasure journal says was erased since a date.

Reads the journal outside the database (``ERASURE_JOURNAL_BACKEND``: the file ``ERASURE_JOURNAL_PATH`` or the
bucket ``ERASURE_JOURNAL_S3_BUCKET``), and erases again, through the engine with reason "replay", every listed
subject who is present in the database and not erased; every journalled keyed hash goes back on the suppression
list. The whole journal since the date is read before anything changes: a journal that cannot be read stops the
command with nothing done. Idempotent: run it again and it finds nothing left to do. A --since that is not a date
is refused with one line and exit 2, before anything is read.
"""
from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from retention import journal


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--since takes a date as YYYY-MM-DD, not %(value)r.") % {"value": value},
                           returncode=2) from exc


class Command(BaseCommand):
    help = "Erase again, after a restore from backup, everyone the erasure journal lists since a date."

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed in handle(), not by argparse's type=: an error raised from a type= function escapes manage.py as a
        # traceback; from handle() it is one line and exit 2.
        parser.add_argument("--since", required=True, metavar="YYYY-MM-DD",
                            help="The date of the backup restored: journal lines from that day on are replayed.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be erased; change nothing.")

    def handle(self, *args, **options) -> None:
        since = _date(options["since"])
        try:
            result = journal.erasure_replay(since=since, dry_run=options["dry_run"])
        except journal.JournalError as exc:
            # Reading comes first (nothing changed yet); a replayed erasure also writes to the journal, and one
            # that cannot rolls its own chunk back. Either way, what is done stays done and a rerun goes on.
            raise CommandError(_(
                "The erasure journal could not be used (%(error)s). Chunks finished before stay done: run the "
                "command again once the journal is reachable."
            ) % {"error": exc}) from exc
        words = {
            "lines": result.lines, "subjects": result.subjects, "absent": result.absent, "already": result.already,
            "todo": result.to_redo, "redone": result.redone, "erased": result.erased,
            "anonymised": result.anonymised, "restricted": result.restricted, "digests": result.digests,
            "since": since.isoformat(),
        }
        self.stdout.write(_(
            "Journal since %(since)s: %(lines)d line(s), %(subjects)d subject(s); %(absent)d not in the database, "
            "%(already)d already erased, %(todo)d to erase again."
        ) % words)
        if result.unreadable:
            self.stdout.write(self.style.WARNING(
                _("%(n)d journal line(s) could not be read and were skipped.") % {"n": result.unreadable}
            ))
        self.stdout.write(_(
            "%(n)d other row(s) holding an erased person's address or phone number (a request never verified, say)."
        ) % {"n": result.forgotten})
        if result.dry_run:
            self.stdout.write(_("Dry run: nothing changed."))
            return
        self.stdout.write(self.style.SUCCESS(_(
            "Erased again: %(redone)d (%(erased)d erased, %(anonymised)d anonymised, %(restricted)d restricted); "
            "%(digests)d suppression digest(s) re-added."
        ) % words))
