from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and erasure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy_registry import demo
        from subjects.personal_data import Scrub, declare

        from . import checks  # noqa: F401  (registers RET001 and RET002 with the register's checks)
        from . import demo as retention_demo

        # A hold's reason may name the person ("claim by …"): it goes when the subject is erased. A subject
        # under an active hold is never erased, so this only ever reaches released holds.
        declare(
            "retention.LegalHold", subject_path="subject", fields={"reason": Scrub.fixed("[erased with the subject]")},
        )
        # The erasure log is the proof, and holds nothing personal: subject id, codes, a receipt of table and
        # field names with counts. Declared so the engine knows to leave it, and the completeness test agrees.
        declare(
            "retention.ErasureRecord", subject_path="subject",
            not_personal=["action", "reason", "request_ref", "receipt"],
        )
        demo.register("retention", retention_demo.load)
