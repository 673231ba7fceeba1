"""Facts of the seed policy antara-privacy-policy.en.txt (116 lines)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from consent.models import Cookie
from privacy_registry.models import LegalBasis, NoticeStatement, Recipient, Vendor

from . import Fact
from .antura import WITHDRAW_BY_EMAIL_LINK

WHOLE = (1, 116)

FACTS: tuple[Fact, ...] = (
    Fact(5, "text", "Antara Information Technology SL"),
    # The Commercial Register entry: volume, sheet, folio, entry and date (no "registration number").
    Fact(5, "text", "6873"),
    Fact(5, "text", "V-77031"),
    Fact(5, "text", "18 October 2005"),
    Fact(5, "text", "15/1999"),
    Fact(101, "text", "support@antara.ws"),
    Fact(101, "text", "46005"),
    Fact(101, "text", "Valencia"),
    Fact(101, "text", "DNI"),
    Fact(36, "text", "Amazon Web Services"),
    Fact(37, "text", "Salesforce"),
    Fact(37, "text", "HubSpot"),
    Fact(38, "text", "Microsoft"),
    Fact(39, "text", "Atlassian"),
    Fact(40, "text", "Stripe"),
    Fact(74, "text", "Red.es"),
    Fact(74, "text", "nic.es"),
    Fact(116, "text", "Spanish"),
    Fact(109, "label", LegalBasis.CONSENT.label),
    # The hosting approach as stated: the provider adheres to the GDPR; no Art. 46 safeguard named.
    Fact(32, "label", _("under the provider's own terms")),
    # The policy names consent as its basis (line 109), never a legal obligation as one.
    Fact(WHOLE, "no_label", LegalBasis.LEGAL_OBLIGATION.label),
    Fact(WHOLE, "no_label", _("Profiling")),
    Fact(WHOLE, "no_label", _("Automated decision-making")),
    Fact(WHOLE, "no_label", Recipient.Kind.THIRD_PARTY.label),
    Fact(WHOLE, "no_label", Vendor.Role.INDEPENDENT_CONTROLLER.label),
    Fact((20, 24), "no_label", Cookie.Party.FIRST.label),
    Fact((20, 24), "no_label_on_line", ("Session cookies", Cookie.Party.THIRD.label)),
    # Opt-out is through the control panel or an e-mail to support (line 78); no link in e-mails is offered.
    Fact(WHOLE, "no_label", WITHDRAW_BY_EMAIL_LINK),
    Fact(32, "statement", NoticeStatement.Topic.STORAGE),
    Fact(44, "statement", NoticeStatement.Topic.SECURITY),
    Fact(72, "statement", NoticeStatement.Topic.NOT_DONE),
)
