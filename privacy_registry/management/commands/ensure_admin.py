"""Make sure an admin login exists and say how to use it (for `make run`)."""
from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry.roles import DPO


class Command(BaseCommand):
    help = "Create the demo DPO login if it does not exist, and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="dpo")
        parser.add_argument("--password", default=None)

    def handle(self, *args, username: str, password: str | None, **options):
        User = get_user_model()
        password = password or os.environ.get("DEMO_ADMIN_PASSWORD", "privacy-demo-2026")
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True, "email": ""}
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=DPO))
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="demo authenticator", defaults={"confirmed": True})
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS(f"Admin: http://127.0.0.1:{port}/admin/"))
        if created:
            self.stdout.write(f"  username: {username}\n  password: {password}")
        else:
            self.stdout.write(f"  username: {username} (existing account, password unchanged)")
        if settings.ADMIN_REQUIRE_2FA:
            self.stdout.write(f"  second factor: add this to an authenticator app: {device.config_url}")
        else:
            self.stdout.write("  second factor: relaxed for this demo (ADMIN_REQUIRE_2FA=false)")
