"""Load the demo organisations (from the seed privacy policies). Idempotent: a second run changes nothing."""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from privacy_registry import demo


class Command(BaseCommand):
    help = "Load the demo register (three organisations from the seed privacy policies). Safe to rerun."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, loader in demo.loaders():
                counts = loader()
                summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
                self.stdout.write(f"{name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
