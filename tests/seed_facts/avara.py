"""Facts of the seed policy avara-privacy-policy.sv.txt (150 lines)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from consent.models import Cookie, CookieCategory
from privacy_registry.models import LegalBasis, NoticeStatement, Recipient, Vendor

from . import Fact

WHOLE = (1, 150)

FACTS: tuple[Fact, ...] = (
    Fact(26, "text", "Avara AS"),
    Fact(27, "text", "Raveien 438"),
    Fact(28, "text", "3239"),
    Fact(28, "text", "Sandefjord"),
    Fact(29, "text", "923 130 969"),
    Fact(30, "text", "post@avara.no"),
    Fact(31, "text", "+47 70 31 00 86"),
    Fact(122, "text", "7Sense"),
    Fact(122, "label", _("processor, acting on our behalf")),
    Fact(62, "label", LegalBasis.LEGITIMATE_INTERESTS.label),
    Fact(93, "label", LegalBasis.CONSENT.label),
    # Two years from the last contact, then deleted: a fixed term, said as such.
    Fact(99, "rule", ("Sales, marketing and customer care", "Active dialogue")),
    Fact(101, "rule", ("Newsletter and e-mail subscriptions", "Until the person unsubscribes")),
    # Partners and event co-organisers receive data (lines 111-118); their role is not stated.
    Fact((109, 118), "no_label", Recipient.Kind.THIRD_PARTY.label),
    Fact(WHOLE, "no_label", Vendor.Role.INDEPENDENT_CONTROLLER.label),
    Fact(WHOLE, "no_label", _("Profiling")),
    Fact(WHOLE, "no_label", _("Automated decision-making")),
    Fact((134, 140), "no_label_on_line", ("Form-filling cookies", CookieCategory.NECESSARY.label)),
    Fact((134, 140), "no_label", Cookie.Party.FIRST.label),
    Fact((134, 140), "no_label_on_line", ("Form-filling cookies", Cookie.Party.THIRD.label)),
    Fact(111, "statement", NoticeStatement.Topic.NOT_DONE),
    Fact(122, "statement", NoticeStatement.Topic.STORAGE),
    Fact(150, "statement", NoticeStatement.Topic.SECURITY),
)
