from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("People (data subjects)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .personal_data import HistoryPolicy, Scrub, declare

        blank = Scrub.fixed("")
        declare(
            "subjects.DataSubject",
            subject_path="",
            fields={
                "first_name": blank,
                "last_name": blank,
                # Unique per subject and visibly not deliverable (RFC 6761 .invalid), so nothing mails it.
                "email": Scrub.pseudonym("erased-{pk}@invalid"),
                "phone": blank,
                "company": blank,
                "job_title": blank,
                "street_address": blank,
                "postal_code": blank,
                "city": blank,
                "country": Scrub.null(),
            },
            not_personal=["language", "state"],
        )
        # Taking part in an activity, with its dates, is itself about the person: the row goes.
        declare("subjects.Engagement", subject_path="subject", delete_row=True, history=HistoryPolicy.DELETE)
        # The row stays, so vendor follow-ups can point at it; the id becomes a keyed hash, which still
        # matches a vendor's confirmation that quotes it, and no longer identifies anyone without the key.
        declare("subjects.SystemRecord", subject_path="subject", fields={"external_id": Scrub.keyed_hash()})
        # The override's digest is a keyed hash (not personal); its free-text reason may name the person.
        declare(
            "subjects.SuppressionOverride",
            subject_path="subject",
            fields={"reason": Scrub.fixed("[erased with the subject]")},
            not_personal=["digest", "kind"],
        )
