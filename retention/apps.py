from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and erasure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy_registry import dashboard as registry_dashboard
        from privacy_registry import demo
        from privacy_registry.exports import record as register_exports
        from subjects.personal_data import Scrub, declare

        from . import (
            checks,  # noqa: F401  (registers RET001-RET003 with the register's checks)
            engine,
            followups,
            journal,
        )
        from . import dashboard as retention_dashboard
        from . import demo as retention_demo
        from . import exports as retention_exports

        # A hold's reason may name the person ("claim by …"): it goes when the subject is erased. A subject
        # under an active hold is never erased, so this only ever reaches released holds.
        declare(
            "retention.LegalHold", subject_path="subject", fields={"reason": Scrub.fixed("[erased with the subject]")},
        )
        # An event's "what happened" and "why cancelled" are typed in and may name the person: they go with the
        # subject. The rest is ids, dates and codes.
        declare(
            "retention.RetentionEvent", subject_path="subject",
            fields={"reason": Scrub.fixed("[erased with the subject]"), "cancel_reason": Scrub.fixed("")},
            not_personal=["status", "outcome"],
        )
        # The erasure log is the proof, and holds nothing personal: subject id, codes, a receipt of table and
        # field names with counts. Declared so the engine knows to leave it, and the completeness test agrees.
        declare(
            "retention.ErasureRecord", subject_path="subject",
            not_personal=["action", "reason", "request_ref", "receipt"],
        )
        # A vendor follow-up keeps the person's id in the vendor's system, sealed, until the vendor confirms; then
        # it is emptied (retention.followups). No path to the subject: the erasure that captures the id in its
        # transaction must not scrub it in the same breath.
        declare(
            "retention.ProcessorErasure", subject_path=None, fields={"external_id_sealed": Scrub.fixed("")},
            not_personal=["kind", "channel", "status", "last_error"],
        )
        demo.register("retention", retention_demo.load)
        # Art. 30(1)(f) in every export: each activity's rules in words, and whether they are enforced (ICO).
        register_exports.register_annotator(register_exports.RETENTION_RULES, retention_exports.rules_in_words)
        register_exports.register_annotator(register_exports.RETENTION_COMPLIANCE, retention_exports.compliance)
        # A failed or stuck sweep run at the top of the admin dashboard.
        registry_dashboard.register("retention.sweep", retention_dashboard.sweep_alerts)
        registry_dashboard.register("retention.events", retention_dashboard.overdue_event_alerts)
        registry_dashboard.register("retention.events_awaiting", retention_dashboard.awaiting_event_alerts)

        # The journal outside the database, and the vendor follow-ups, hang on the engine's hooks.
        engine.before_scrub_hook_add(followups.followups_capture_ids)
        engine.journal_hook_add(journal.journal_write)
        engine.journal_hook_add(followups.followups_open)
        engine.erased_hook_add(followups.followups_dispatch)
