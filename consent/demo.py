"""Demo consent purposes and cookie tables of the three seed organisations.

Design note:
- The cookie tables are the seed policies' own: Antura's table (service, cookies, purpose, retention), Antara's
  session and permanent cookies and its unique identifier, Avara's form-filling cookies. The policies give no
  category per cookie. Antura's table gives each service a purpose its banner asks consent for by category
  (statistics, marketing), so those are kept; its tag manager's category is "not stated". Antara and Avara give
  purposes only and ask one consent for all cookies: their cookies are "not stated", under one consent purpose of
  that category. No policy calls a cookie necessary, so none is exempt from consent (a "not stated" cookie needs
  it), and no policy says which party sets a cookie: every party is "not stated". A retention the policy does not
  state is left empty, which the notice says as "not stated".
- Consent purposes: one per cookie category a policy asks consent for ("not stated" counts as one), linked to the
  register purposes the policy bases on that consent; every other register purpose with basis Art. 6(1)(a) gets
  one purpose per activity, so the register check CON001 has nothing to report for the demo.
- Idempotent, and adds only what is missing (``privacy_registry.demo.ensure``): purposes are found by
  (organisation, key), cookies by (organisation, name), and created when missing, never rewritten (a DPO's change
  to a demo purpose, its wording or its register purposes, or to a cookie stands). Register rows that another
  version of the seeds names differently are skipped.
- Last, the first version of each demo organisation's notice is published, so ``make run`` shows one at
  /privacy/<organisation>/: published by no user, with the note "demo data", the completeness report's gaps
  acknowledged and kept with the version as a DPO's publication keeps them. A rerun publishes nothing for an
  organisation that has a version already: publishing is the DPO's decision, and a change they made to the register
  waits on the preview until they publish it. The loaders of the apps below consent run first, so the
  retention rules are in the text; this one runs after the cookies and consent purposes it names.
- Runs inside ``load_demo``'s transaction; every history row says "demo data".
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify

from privacy_registry.demo import ensure
from privacy_registry.models import LegalBasis, Organisation, ProcessingActivity, Purpose, Vendor

from . import services
from .models import ConsentPurpose, ConsentSettings, Cookie, CookieCategory, NoticeVersion

REASON = "demo data"
C = CookieCategory
PARTY_NOT_STATED = Cookie.Party.NOT_STATED


@dataclass(frozen=True)
class CookieSeed:
    organisation: str
    name: str
    category: str
    purpose: str
    retention: str = ""
    party: str = PARTY_NOT_STATED
    vendor: str | None = None


@dataclass(frozen=True)
class CookiePurposeSeed:
    organisation: str
    category: str
    name: str
    wording: str
    register_purposes: tuple[str, ...]


COOKIES: tuple[CookieSeed, ...] = (
    CookieSeed("antura", "Tag management script, container ID and tag configuration", C.NOT_STATED,
               "Used to manage, load and control tags on the website, such as Google Analytics, Google Ads and Leadoo. "
               "Tags should be activated based on the visitor's consent choices.",
               "Google Tag Manager does not normally set its own cookies for website visitors.",
               vendor="Google Tag Manager"),
    CookieSeed("antura", "_ga, _ga_<container-id> and related Google Analytics cookies", C.STATISTICS,
               "Statistics, analysis of website usage and measurement of visits and events",
               "Configurable from immediate deletion up to 25 months; the GA4 setting is to be verified.",
               vendor="Google Analytics"),
    CookieSeed("antura", "IDE, NID, AID, FPAU, FPGCL* (Google Ads and DoubleClick)", C.MARKETING,
               "Conversion measurement, campaign follow-up, advertising and measurement of advertising effectiveness",
               "Varies by cookie; Google states periods such as 90 days, 6 months and 13 months in the EEA/UK.",
               vendor="Google Ads"),
    CookieSeed("antura", "Leadoo: browser memory, local storage, session storage, eTags", C.STATISTICS,
               "Visitor tracking, conversion analysis and company identification, only with consent to statistics",
               "By default up to 5 years; Antura can adjust it and data may be deleted earlier.",
               vendor="Leadoo"),
    # Antara and Avara give their cookies purposes but no category, and ask one consent for all of them.
    CookieSeed("antara", "Session cookies", C.NOT_STATED,
               "Know the customer's preferences during a visit, minimise download times and save server processes",
               "Until the browser is closed"),
    CookieSeed("antara", "Permanent cookies", C.NOT_STATED,
               "Store, for example, whether the customer wants their password remembered",
               "A long period (not stated precisely)"),
    CookieSeed("antara", "Unique customer identifier", C.NOT_STATED,
               "Collect information on how customers access the website"),
    CookieSeed("avara", "Form-filling cookies", C.NOT_STATED,
               "Save visitors from filling in fields each time they visit the website"),
)

COOKIE_PURPOSES: tuple[CookiePurposeSeed, ...] = (
    CookiePurposeSeed("antura", C.STATISTICS, "Statistics cookies",
                      "I agree that Antura uses cookies and similar technologies (Google Analytics, Leadoo) for "
                      "statistics and analysis of how the website is used.",
                      ("Analyse and improve the website's functions, content and user experience",
                       "Identify companies visiting the website and gauge interest in Antura's offer")),
    CookiePurposeSeed("antura", C.MARKETING, "Marketing cookies",
                      "I agree that Antura uses cookies and similar technologies (Google Ads) to measure marketing and "
                      "show relevant advertisements.",
                      ("Measure marketing effectiveness and follow up campaigns and conversions",
                       "Show relevant advertisements and measure their results")),
    CookiePurposeSeed("antara", C.NOT_STATED, "Cookies",
                      "I agree that Antara stores session and permanent cookies to remember my preferences, and a "
                      "unique identifier to see how I access the website.",
                      ("Remember preferences during a visit and cut download times and server load",
                       "Remember choices such as keeping the password between visits",
                       "See how customers access the website through a unique identifier")),
    CookiePurposeSeed("avara", C.NOT_STATED, "Cookies",
                      "I agree that Avara stores cookies so that I need not fill in fields each time.",
                      ("Remember form entries so visitors need not fill them in each time (cookies)",)),
)


def _vendor(organisation: Organisation, name: str | None) -> Vendor | None:
    if not name:
        return None
    return Vendor.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True), name=name).first()


def _register_purposes(organisation: Organisation, descriptions) -> list[Purpose]:
    return list(Purpose.objects.filter(activity__organisation=organisation, legal_basis=LegalBasis.CONSENT,
                                       description__in=descriptions))


def _purpose(organisation: Organisation, *, key: str, values: dict, register: list[Purpose]) -> bool:
    """Create one consent purpose, with its register purposes, unless it is there; True when it was created."""
    purpose, created = ensure(ConsentPurpose, key={"organisation": organisation, "key": key}, values=values,
                              save=lambda purpose: services.purpose_save(purpose=purpose, reason=REASON))
    if created:
        purpose.register_purposes.set(register)
    return created


def load() -> dict[str, int]:
    counts = {"consent purposes": 0, "cookies": 0, "notices published": 0}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=["antura", "antara", "avara"])}
    covered: set[int] = set()
    for seed in COOKIE_PURPOSES:
        org = organisations.get(seed.organisation)
        if org is None:
            continue
        register = _register_purposes(org, seed.register_purposes)
        covered.update(p.pk for p in register)
        counts["consent purposes"] += _purpose(org, key=f"cookies-{seed.category}", register=register, values={
            "name": seed.name, "wording": seed.wording, "cookie_category": seed.category, "active": True,
        })
    for org in organisations.values():
        activities = ProcessingActivity.objects.filter(
            organisation=org, purposes__legal_basis=LegalBasis.CONSENT,
        ).distinct().order_by("pk")
        for activity in activities:
            register = [p for p in activity.purposes.filter(legal_basis=LegalBasis.CONSENT) if p.pk not in covered]
            if not register:
                continue
            wording = (f"I agree that {org.name} processes my personal data for: "
                       + "; ".join(p.description for p in register) + ".")
            counts["consent purposes"] += _purpose(org, key=slugify(activity.name)[:60], register=register, values={
                "name": activity.name, "wording": wording, "active": True,
            })
        if org.website and not ConsentSettings.objects.filter(organisation=org).exists():
            parts = urlsplit(org.website)
            services.settings_save(consent_settings=ConsentSettings(
                organisation=org, allowed_origins=f"{parts.scheme}://{parts.netloc}"), reason=REASON)
    for seed in COOKIES:
        org = organisations.get(seed.organisation)
        if org is None:
            continue
        values = {"category": seed.category, "purpose": seed.purpose, "retention": seed.retention,
                  "party": seed.party, "vendor": _vendor(org, seed.vendor)}
        _, created = ensure(Cookie, key={"organisation": org, "name": seed.name}, values=values,
                            save=lambda cookie: services.cookie_save(cookie=cookie, reason=REASON))
        counts["cookies"] += created
    for org in organisations.values():
        counts["notices published"] += _publish(org)
    return counts


def _publish(organisation: Organisation) -> bool:
    """Publish the organisation's first notice as the demo loader (no user); False when it has one already."""
    if NoticeVersion.objects.filter(organisation=organisation).exists():
        return False
    try:
        services.notice_publish(organisation=organisation, actor=None, note=REASON, acknowledge_gaps=True)
    except ValidationError as exc:
        if exc.code != "unchanged":
            raise
        return False
    return True
