"""The data subject's rights as the GDPR gives them: one place that the notice, the Art. 30 exports and the
register's ``StatedRight`` choices all read.

Design note.
- Each right has its key (the ``StatedRight.Right`` value, unchanged so no migration follows), the article that
  gives it, one label (the register's choice label, the exports' and the notice's), the law's own words as the
  notice says them ("Under the GDPR you have the right …"), and the condition under which the GDPR gives it for
  one purpose of an activity.
- The conditions, per purpose (Art. 6(1) basis, Art. 9(2) condition, direct marketing) and per activity (processed
  by automated means, automated decisions):
  access, rectification, restriction and complaint always (Art. 15, 16, 18, 77); erasure unless the basis is a
  legal obligation or a public task (Art. 17(3)(b)); portability only where the basis is consent (Art. 6(1)(a) or
  9(2)(a) explicit consent) or a contract, and the processing is carried out by automated means (Art. 20(1));
  objection where the basis is a public task or legitimate interests (Art. 21(1)), and always for direct marketing
  (Art. 21(2)); withdrawal wherever the basis is consent, explicit consent included (Art. 7(3)); the Art. 22
  safeguards only where decisions are automated. A purpose with no basis recorded gives nothing that can be
  determined (``rights_given`` returns an empty list).
- This module imports no model: it is data and plain functions over the codes (``LegalBasis`` "a"-"f",
  ``Article9Condition`` "a"), so that ``privacy_registry.models`` can read its labels.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The codes of privacy_registry.models.LegalBasis and Article9Condition this module reasons about.
CONSENT = "a"
CONTRACT = "b"
LEGAL_OBLIGATION = "c"
PUBLIC_TASK = "e"
LEGITIMATE_INTERESTS = "f"
EXPLICIT_CONSENT_9 = "a"

GDPR = "GDPR"


@dataclass(frozen=True)
class Right:
    key: str
    article: str  # "Art. 15"
    label: Promise  # the register's choice label, as the exports and the notice name the right
    words: Promise  # the law's words, as the notice says them

    @property
    def source(self) -> str:
        """The named law text, e.g. "GDPR Art. 15"."""
        return f"{GDPR} {self.article}"


RIGHTS: dict[str, Right] = {
    right.key: right
    for right in (
        Right("access", "Art. 15", _("Access (Art. 15)"),
              _("Under the GDPR you have the right of access to your data and to a copy of it (Art. 15).")),
        Right("rectification", "Art. 16", _("Rectification (Art. 16)"),
              _("Under the GDPR you have the right to have inaccurate data rectified (Art. 16).")),
        Right("erasure", "Art. 17", _("Erasure (Art. 17)"),
              _("Under the GDPR you have the right to have your data erased (Art. 17).")),
        Right("restriction", "Art. 18", _("Restriction (Art. 18)"),
              _("Under the GDPR you have the right to restriction of processing (Art. 18).")),
        Right("portability", "Art. 20", _("Data portability (Art. 20)"),
              _("Under the GDPR you have the right to receive the data you provided in a structured, "
                "machine-readable format and to have it transmitted to another controller (Art. 20).")),
        Right("objection", "Art. 21", _("Objection (Art. 21)"),
              _("Under the GDPR you have the right to object, on grounds relating to your particular situation, "
                "to processing based on a public task or on legitimate interests (Art. 21(1)).")),
        Right("withdraw_consent", "Art. 7(3)", _("Withdraw consent at any time (Art. 7(3))"),
              _("Under the GDPR you have the right to withdraw your consent at any time, as easily as you gave "
                "it; the withdrawal does not affect processing before it (Art. 7(3)).")),
        Right("automated_decisions", "Art. 22", _("Not to be subject to automated decisions (Art. 22)"),
              _("Under the GDPR you have the right not to be subject to a decision based solely on automated "
                "processing that significantly affects you (Art. 22).")),
        Right("complaint", "Art. 77", _("Complaint to a supervisory authority (Art. 77)"),
              _("Under the GDPR you have the right to lodge a complaint with a supervisory authority, in "
                "particular where you live or work or where the infringement took place (Art. 77).")),
    )
}

# Art. 21(2)-(3): an objection to direct marketing needs no grounds and always stops it.
DIRECT_MARKETING_WORDS = _("Under the GDPR you may object to direct marketing at any time, without giving reasons; "
                           "the processing for it then stops (Art. 21(2)-(3)).")
DIRECT_MARKETING_SOURCE = f"{GDPR} Art. 21(2)"


def choices() -> list[tuple[str, Promise]]:
    """(value, label) of every right, in the law's order: the ``StatedRight.Right`` choices."""
    return [(right.key, right.label) for right in RIGHTS.values()]


def is_consent(*, basis: str, article9: str = "") -> bool:
    """Whether a purpose rests on consent: Art. 6(1)(a), or Art. 9(2)(a) explicit consent."""
    return basis == CONSENT or article9 == EXPLICIT_CONSENT_9


def gives(key: str, *, basis: str, article9: str = "", direct_marketing: bool = False,
          automated_means: bool = False, automated_decisions: bool = False) -> bool:
    """Whether the GDPR gives the right ``key`` for one purpose (see the module's note for the conditions)."""
    consent = is_consent(basis=basis, article9=article9)
    if not basis and not consent:
        return False
    if key in {"access", "rectification", "restriction", "complaint"}:
        return True
    if key == "erasure":
        return basis not in {LEGAL_OBLIGATION, PUBLIC_TASK}
    if key == "portability":
        return (consent or basis == CONTRACT) and automated_means
    if key == "objection":
        return basis in {PUBLIC_TASK, LEGITIMATE_INTERESTS} or direct_marketing
    if key == "withdraw_consent":
        return consent
    if key == "automated_decisions":
        return automated_decisions
    raise KeyError(key)


def rights_given(*, basis: str, article9: str = "", direct_marketing: bool = False, automated_means: bool = False,
                 automated_decisions: bool = False) -> list[str]:
    """The keys of the rights the GDPR gives for one purpose, in the law's order; empty when no basis is recorded."""
    return [key for key in RIGHTS if gives(key, basis=basis, article9=article9, direct_marketing=direct_marketing,
                                           automated_means=automated_means,
                                           automated_decisions=automated_decisions)]
