from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent, cookies and the privacy notice")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy_registry import demo
        from privacy_registry.exports import record as register_exports
        from subjects import consent_withdrawers
        from subjects.personal_data import Scrub, declare

        from . import (
            checks,  # noqa: F401  (registers CON001 with the register's checks)
            services,
        )
        from . import demo as consent_demo
        from . import exports as consent_exports

        blank = Scrub.fixed("")
        # The state, dates and hashes stay as the proof of what was agreed and withdrawn; what could single out
        # the person's device goes. A subject's record holds no visitor id (check constraint
        # consent_record_subject_or_visitor), so the erasure has nothing to scrub there and passes it by (a sweep
        # batch stays within its query budget); a visitor's rows reach no subject and are purged on their own
        # schedule (consent.services.anonymous_events_purge).
        declare(
            "consent.ConsentRecord", subject_path="subject",
            not_personal=["visitor_id", "state", "method", "wording_hash"],
        )
        declare(
            "consent.ConsentEvent", subject_path="subject",
            fields={"visitor_id": blank, "ip_prefix": blank, "user_agent": blank},
            not_personal=["kind", "method", "wording_hash", "reason"],
        )
        # A rights request to withdraw consent (Art. 7(3)) withdraws every consent of the person kept here.
        consent_withdrawers.register("consent", services.consents_withdraw_for_subject)
        demo.register("consent", consent_demo.load)
        # The "link to record of consent" of the authority templates' exports.
        register_exports.register_annotator(register_exports.CONSENT_RECORDS, consent_exports.consent_records)
