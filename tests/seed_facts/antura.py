"""Facts of the seed policy antura-privacy-policy.en.txt (166 lines)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from consent.models import Cookie, CookieCategory
from privacy_registry.models import LegalBasis, NoticeStatement, Recipient, Vendor
from retention.models import RetentionRule

from . import Fact

WHOLE = (1, 166)
WITHDRAW_BY_EMAIL_LINK = _(
    "Where we rely on your consent you may withdraw it at any time, as easily as you gave it: through the link in "
    "each of our e-mails, the cookie settings, or a request. Withdrawal does not affect processing before it."
)

FACTS: tuple[Fact, ...] = (
    Fact(39, "text", "Data Protection Officer"),
    Fact(39, "text", "Chief Information Security Officer"),
    Fact(89, "text", "Google Analytics"),
    Fact(89, "text", "Google Ads"),
    Fact(89, "text", "Leadoo"),
    Fact(91, "text", "Google Tag Manager"),
    Fact(57, "label", LegalBasis.LEGITIMATE_INTERESTS.label),
    Fact(101, "label", LegalBasis.CONSENT.label),
    Fact(103, "label", LegalBasis.CONTRACT.label),
    Fact(141, "text", "25 months"),
    Fact(149, "text", "13 months"),
    Fact(157, "text", "5 years"),
    Fact(57, "text", "ten years"),
    # "deleted within a maximum of 10 years", "a maximum of 10 years after": ceilings, not fixed terms.
    Fact(25, "rule", ("Customer contact persons", "Deleted at the latest 10 years")),
    Fact(69, "rule", ("Employees, contractors, partners and suppliers", "At most 10 years")),
    Fact(WHOLE, "no_label", RetentionRule.Action.ERASE.label),
    # The policy names no country for Antura, lists no data categories for staff and suppliers.
    Fact(WHOLE, "no_text", "Sweden"),
    Fact((65, 69), "no_text", "Payroll and tax data"),
    # Not stated anywhere: profiling, automated decisions, independent controllers, a necessary or first/third-party
    # cookie of its own, withdrawal through a link in e-mails (it names the cookie settings, lines 101 and 165).
    Fact(WHOLE, "no_label", _("Profiling")),
    Fact(WHOLE, "no_label", _("Automated decision-making")),
    Fact(WHOLE, "no_label", Recipient.Kind.THIRD_PARTY.label),
    Fact(WHOLE, "no_label", Vendor.Role.INDEPENDENT_CONTROLLER.label),
    Fact((125, 131), "no_label_on_line", ("Tag management script", CookieCategory.NECESSARY.label)),
    Fact((133, 141), "no_label_on_line", ("_ga", Cookie.Party.THIRD.label)),
    Fact((143, 149), "no_label_on_line", ("IDE, NID", Cookie.Party.THIRD.label)),
    Fact((151, 157), "no_label_on_line", ("Leadoo: browser memory", Cookie.Party.THIRD.label)),
    Fact(WHOLE, "no_label", Cookie.Party.FIRST.label),
    Fact(WHOLE, "no_label", WITHDRAW_BY_EMAIL_LINK),
    # What Antura states of its security and of incidents (lines 37, 39).
    Fact(37, "statement", NoticeStatement.Topic.SECURITY),
    Fact(39, "statement", NoticeStatement.Topic.INCIDENTS),
)
