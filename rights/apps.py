from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = _("Data subjects' requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy_registry import dashboard as registry_dashboard
        from retention import journal
        from subjects.personal_data import Scrub, declare

        from . import dashboard
        from .services import forgetting

        # Requests stuck in progress (an interrupted execution) at the top of the admin dashboard.
        registry_dashboard.register("rights.stuck_executions", dashboard.stuck_execution_alerts)

        # One marker for every path that scrubs a request (the person's erasure, the purge of an unverified request,
        # the minimisation of a closed one, the journal's replay: rights.services.common._scrub_requests applies
        # this declaration too).
        removed = Scrub.fixed("[removed]")
        # The requester's own words and address go with the person; the codes (type, status, ground) and dates
        # stay, as the proof that the request was handled. Historical rows are reached through the match, which
        # rights.services writes into the request's earlier history when it verifies.
        declare(
            "rights.RightsRequest",
            subject_path="subject",
            fields={
                "email": Scrub.null(),
                "details": Scrub.fixed(""),
                "response": removed,
                "extension_reason": removed,
            },
            not_personal=["type", "channel", "language", "status", "verification_method", "refusal_ground", "outcome"],
        )
        # Timeline notes are written by rights.services only, in fixed words and ids, never the person's data.
        declare("rights.RequestEvent", subject_path="request__subject", not_personal=["kind", "note"])
        declare("rights.ClockPause", subject_path="request__subject", not_personal=["reason"])
        # The export is everything held on the person: erasing them deletes it (it has no history).
        declare("rights.RequestExport", subject_path="request__subject", delete_row=True)
        # The digest is the SHA-256 of a random nonce: it identifies a link, not a person.
        declare("rights.RequestToken", subject_path="request__subject", not_personal=["purpose", "digest"])
        # After a restore, the journal's replay also scrubs requests never verified that hold an erased address.
        journal.forgetter_add("rights.unverified_requests", forgetting.requests_forget_identities)
