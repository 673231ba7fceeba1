"""Demo retention rules (every retention statement of the three seed policies) and a few fictional people.

Design note:
- Each statement becomes a rule as it reads. One that gives no start date or no period is entered with
  ``trigger = not stated`` (and disabled), so the register check RET002 reports it: "up to ten years", with
  no "from when", is not turned into ten years from some date the policy never names. Antara's "blocked as
  long as legal obligations require, then deleted" restricts at the end of the contract; the erase period
  is not stated, so that half is reported too.
- Idempotent, and adds only what is missing (``privacy_registry.demo.ensure``): a rule is found by its activity
  and quoted statement and created when missing, never rewritten (a DPO's change to a demo rule stands), a person
  by organisation and e-mail (seeded once, with their engagements and hold). A demo person the sweep has erased
  is on the suppression list and stays erased.
- Demo people are fictional (example.org addresses, "Example" surnames) with dates chosen so that the
  first sweep has something to erase, restrict, keep for a hold, and leave alone.
- Runs inside ``load_demo``'s transaction; every history row says "demo data".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from privacy_registry.demo import ensure
from privacy_registry.models import DataSubjectCategory, Organisation, PersonalDataCategory, ProcessingActivity
from subjects import services as subject_services
from subjects.models import DataSubject

from .models import LegalHold, PeriodUnit, RetentionRule
from .services import rule_save

REASON = "demo data"
T = RetentionRule.Trigger
A = RetentionRule.Action
YEARS, MONTHS, DAYS = PeriodUnit.YEARS, PeriodUnit.MONTHS, PeriodUnit.DAYS

_ANTARA_LEGAL = "Legal retention duties and collection of unpaid invoices; the policy names no law or period."


@dataclass(frozen=True)
class RuleSeed:
    organisation: str
    activity: str
    statement: str
    trigger: str
    period: int | None
    unit: str = YEARS
    action: str = A.ERASE
    second_period: int | None = None
    legal_reference: str = ""
    subject_category: str | None = None
    data_category: str | None = None
    ceiling: bool = False  # "up to", "at most", "at the latest": the period is a maximum

    @property
    def enabled(self) -> bool:
        return self.trigger != T.NOT_STATED and self.period is not None and self.action != A.NOT_STATED


RULES: tuple[RuleSeed, ...] = (
    # --- Antura ---------------------------------------------------------------------------------------------
    RuleSeed("antura", "Customer contact persons",
             "Deleted at the latest 10 years after the organisation stops being a customer.",
             T.RELATIONSHIP_ENDED, 10, legal_reference="Antura privacy policy", ceiling=True),
    # The policy does not say what happens after these periods: the action is "not stated".
    RuleSeed("antura", "Prospects (potential buyers)",
             "Up to ten years, because sales cycles in the industry can be very long.",
             T.NOT_STATED, 10, action=A.NOT_STATED, legal_reference="Antura privacy policy", ceiling=True),
    RuleSeed("antura", "Employees, contractors, partners and suppliers",
             "At most 10 years after the employment, assignment or partnership ends, then deleted.",
             T.RELATIONSHIP_ENDED, 10, legal_reference="Antura privacy policy", ceiling=True),
    RuleSeed("antura", "Website analytics and advertising",
             "Google Analytics cookies: configurable between immediate deletion and 25 months (the GA4 setting "
             "in use is not stated).",
             T.NOT_STATED, 25, MONTHS, action=A.NOT_STATED, data_category="Online identifiers", ceiling=True),
    RuleSeed("antura", "Website analytics and advertising",
             "Leadoo: up to 5 years by default, adjustable by Antura and possibly shorter.",
             T.NOT_STATED, 5, action=A.NOT_STATED, data_category="Online identifiers", ceiling=True),
    RuleSeed("antura", "Website enquiries, chat and demo bookings",
             "Potential buyers' details may be kept up to ten years because sales cycles are long.",
             T.NOT_STATED, 10, action=A.NOT_STATED, subject_category="Prospect", ceiling=True),
    RuleSeed("antura", "Website enquiries, chat and demo bookings",
             "Leadoo keeps data up to 5 years by default.", T.NOT_STATED, 5, action=A.NOT_STATED, ceiling=True),
    # --- Antara: blocked when the contract ends, deleted when the (unnamed) legal duties end -----------------
    *(
        RuleSeed("antara", activity,
                 "While the contract lasts. Afterwards kept blocked only as long as legal obligations require, "
                 "used for nothing but those obligations and collecting unpaid invoices, then deleted.",
                 T.RELATIONSHIP_ENDED, 0, DAYS, A.RESTRICT_THEN_ERASE, legal_reference=_ANTARA_LEGAL)
        for activity in (
            "Customer accounts, services and billing", "Domain name registration", "Marketing, offers and newsletter",
            "Service announcements",
        )
    ),
    RuleSeed("antara", "Website cookies",
             "Persistent cookies stay on the device for a long time (no period given).",
             T.NOT_STATED, None, action=A.NOT_STATED, data_category="Online identifiers"),
    RuleSeed("antara", "Web server log files", "No period stated.", T.NOT_STATED, None, action=A.NOT_STATED),
    # --- Avara ----------------------------------------------------------------------------------------------
    RuleSeed("avara", "Sales, marketing and customer care",
             "Active dialogue: kept 2 years from the last contact, then deleted.",
             T.LAST_CONTACT, 2, legal_reference="Avara privacy policy"),
    RuleSeed("avara", "Sales, marketing and customer care", "Deleted at once if consent is withdrawn.",
             T.UNSUBSCRIBED, 0, DAYS, legal_reference="Art. 7(3) GDPR; Avara privacy policy"),
    RuleSeed("avara", "Newsletter and e-mail subscriptions",
             "Until the person unsubscribes; then kept 2 years before deletion.",
             T.UNSUBSCRIBED, 2, legal_reference="Avara privacy policy"),
    RuleSeed("avara", "Website, chat and cookies",
             "Only as long as the purpose of collection needs, then deleted; no specific period is stated.",
             T.NOT_STATED, None),
    RuleSeed("avara", "E-mail and telephone correspondence",
             "Customer details in the customer system follow the 2-year rule.",
             T.LAST_CONTACT, 2, subject_category="Customer", legal_reference="Avara privacy policy"),
    RuleSeed("avara", "E-mail and telephone correspondence",
             "Staff delete messages that are no longer relevant and review their mailbox at least yearly.",
             T.NOT_STATED, None, subject_category="E-mail correspondent"),
)


@dataclass(frozen=True)
class PersonSeed:
    organisation: str
    email: str
    first_name: str
    last_name: str
    categories: tuple[str, ...]
    # activity name → Engagement dates (days before today when an int, so "recent" stays recent).
    engagements: dict[str, dict[str, date | int]] = field(default_factory=dict)
    hold: str = ""


PEOPLE: tuple[PersonSeed, ...] = (
    PersonSeed("avara", "ada.example@example.org", "Ada", "Example", ("Prospect",),
               {"Sales, marketing and customer care": {"collected_on": date(2018, 3, 1),
                                                       "last_contact_on": date(2019, 5, 2)}}),
    PersonSeed("avara", "bo.example@example.org", "Bo", "Example", ("Prospect",),
               {"Sales, marketing and customer care": {"collected_on": 400, "last_contact_on": 30}}),
    PersonSeed("avara", "cai.example@example.org", "Cai", "Example", ("Customer",),
               {"Sales, marketing and customer care": {"collected_on": date(2016, 1, 11),
                                                       "last_contact_on": date(2018, 9, 10)}},
               hold="Demo: disputed invoice; kept until the claim is settled."),
    PersonSeed("avara", "dag.example@example.org", "Dag", "Example", ("Newsletter subscriber",),
               {"Newsletter and e-mail subscriptions": {"collected_on": date(2017, 6, 1),
                                                        "unsubscribed_on": date(2020, 1, 15)}}),
    PersonSeed("avara", "gro.example@example.org", "Gro", "Example", ("Newsletter subscriber", "Customer"),
               {"Newsletter and e-mail subscriptions": {"collected_on": date(2017, 6, 1),
                                                        "unsubscribed_on": date(2019, 11, 30)},
                "Sales, marketing and customer care": {"collected_on": date(2017, 6, 1), "last_contact_on": 10}}),
    PersonSeed("antara", "eva.example@example.org", "Eva", "Example", ("Online customer (over 14)",),
               {"Customer accounts, services and billing": {"collected_on": date(2020, 2, 3),
                                                            "relationship_ended_on": date(2023, 6, 30)}}),
    PersonSeed("antura", "finn.example@example.org", "Finn", "Example", ("Customer contact person",),
               {"Customer contact persons": {"collected_on": date(2008, 4, 1),
                                             "relationship_ended_on": date(2012, 3, 31)}}),
)


class _Loader:
    def __init__(self) -> None:
        self.organisations = {o.slug: o for o in Organisation.objects.filter(slug__in={"antura", "antara", "avara"})}
        self.activities = {
            (a.organisation.slug, a.name): a
            for a in ProcessingActivity.objects.filter(organisation__in=self.organisations.values())
            .select_related("organisation")
        }
        self.subject_categories = {c.name: c for c in DataSubjectCategory.objects.all()}
        self.data_categories = {c.name: c for c in PersonalDataCategory.objects.all()}
        self.counts = dict.fromkeys(("rules", "rules_saved", "people", "people_created", "holds_placed"), 0)

    def activity(self, organisation: str, name: str) -> ProcessingActivity:
        try:
            return self.activities[(organisation, name)]
        except KeyError:
            raise LookupError(f"demo retention rule for unknown activity {organisation}/{name!r}") from None

    def rule(self, seed: RuleSeed) -> None:
        activity = self.activity(seed.organisation, seed.activity)
        values = {
            "trigger": seed.trigger, "period_amount": seed.period, "period_unit": seed.unit, "action": seed.action,
            "second_period_amount": seed.second_period, "legal_reference": seed.legal_reference,
            "enabled": seed.enabled, "period_is_ceiling": seed.ceiling,
            "subject_category": self.subject_categories[seed.subject_category] if seed.subject_category else None,
            "data_category": self.data_categories[seed.data_category] if seed.data_category else None,
        }
        self.counts["rules"] += 1
        _, created = ensure(RetentionRule, key={"activity": activity, "statement": seed.statement}, values=values,
                            save=lambda rule: rule_save(rule=rule, reason=REASON))
        self.counts["rules_saved"] += created

    def person(self, seed: PersonSeed) -> None:
        organisation = self.organisations[seed.organisation]
        self.counts["people"] += 1
        # A person is seeded once, engagements and hold included: what the sweep (or a DPO) did to them since,
        # an engagement ended, a hold released, an erasure, is not undone by loading the demo again.
        if DataSubject.objects.filter(organisation=organisation, email__iexact=seed.email).exists():
            return
        if subject_services.is_suppressed(email=seed.email):
            return  # erased by a sweep, its e-mail now a pseudonym: it stays erased
        subject = subject_services.subject_create(
            organisation=organisation, email=seed.email, first_name=seed.first_name, last_name=seed.last_name,
            language="en", categories=[self.subject_categories[c] for c in seed.categories], reason=REASON,
        )
        self.counts["people_created"] += 1
        today = timezone.localdate()
        for activity_name, dates in seed.engagements.items():
            activity = self.activity(seed.organisation, activity_name)
            subject_services.engagement_record(
                subject=subject, activity=activity, reason=REASON,
                **{k: today - timedelta(days=v) if isinstance(v, int) else v for k, v in dates.items()},
            )
        if seed.hold:
            hold = LegalHold(subject=subject, reason=seed.hold)
            hold._change_reason = REASON
            hold.save()
            self.counts["holds_placed"] += 1


def load() -> dict[str, int]:
    """Add the demo retention rules and demo people that are missing; returns counts."""
    loader = _Loader()
    if len(loader.organisations) < 3:
        return loader.counts  # the register's demo loader did not run: nothing to attach rules to
    for seed in RULES:
        loader.rule(seed)
    for seed in PEOPLE:
        loader.person(seed)
    return loader.counts
