"""The register of processing activities (GDPR Art. 30) and the records that surround it.

The register knows nothing of people (the `subjects` app does). Every model here is tracked by
django-simple-history so the audit trail says who changed what, when and why. Legal choices are
`TextChoices` with the article in the label; EEA membership and adequacy decisions are rows in
`Country` (loaded by a data migration), never code.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import law
from .countries import territory_name
from .markets import ShownInLanguages

BREACH_NOTIFICATION_WINDOW = timedelta(hours=72)


def check_vendor_scope(vendor, organisation_id, field: str = "vendor") -> None:
    """A vendor kept by one organisation serves that organisation only; a shared one (no organisation) serves all."""
    if vendor is not None and vendor.organisation_id and organisation_id and vendor.organisation_id != organisation_id:
        raise ValidationError({field: _("This vendor is kept by another organisation: use a shared vendor or one "
                                        "of this organisation's own.")})


class LegalBasis(models.TextChoices):
    CONSENT = "a", _("Art. 6(1)(a) consent")
    CONTRACT = "b", _("Art. 6(1)(b) contract or steps before a contract")
    LEGAL_OBLIGATION = "c", _("Art. 6(1)(c) legal obligation")
    VITAL_INTERESTS = "d", _("Art. 6(1)(d) vital interests")
    PUBLIC_TASK = "e", _("Art. 6(1)(e) public task or official authority")
    LEGITIMATE_INTERESTS = "f", _("Art. 6(1)(f) legitimate interests")


class Article9Condition(models.TextChoices):
    EXPLICIT_CONSENT = "a", _("Art. 9(2)(a) explicit consent")
    EMPLOYMENT = "b", _("Art. 9(2)(b) employment, social security and social protection law")
    VITAL_INTERESTS = "c", _("Art. 9(2)(c) vital interests, subject incapable of consent")
    NOT_FOR_PROFIT = "d", _("Art. 9(2)(d) not-for-profit body, members")
    MADE_PUBLIC = "e", _("Art. 9(2)(e) manifestly made public by the data subject")
    LEGAL_CLAIMS = "f", _("Art. 9(2)(f) legal claims or courts")
    SUBSTANTIAL_PUBLIC_INTEREST = "g", _("Art. 9(2)(g) substantial public interest")
    HEALTH_CARE = "h", _("Art. 9(2)(h) preventive or occupational medicine, health or social care")
    PUBLIC_HEALTH = "i", _("Art. 9(2)(i) public health")
    ARCHIVING_RESEARCH = "j", _("Art. 9(2)(j) archiving, research or statistics")


class SpecialCategory(models.TextChoices):
    RACIAL_ETHNIC = "racial_ethnic", _("Racial or ethnic origin")
    POLITICAL = "political", _("Political opinions")
    RELIGIOUS = "religious", _("Religious or philosophical beliefs")
    TRADE_UNION = "trade_union", _("Trade-union membership")
    GENETIC = "genetic", _("Genetic data")
    BIOMETRIC = "biometric", _("Biometric data for unique identification")
    HEALTH = "health", _("Data concerning health")
    SEX_LIFE = "sex_life", _("Sex life or sexual orientation")


class Country(models.Model):
    """A country as the transfer rules see it: EEA member, adequacy decision, or third country."""

    code = models.CharField(_("ISO 3166-1 code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    is_eea = models.BooleanField(_("EEA member"), default=False)
    has_adequacy = models.BooleanField(_("adequacy decision (Art. 45)"), default=False)
    adequacy_scope = models.CharField(
        _("adequacy scope"),
        max_length=200,
        blank=True,
        help_text=_("Limits of the decision, e.g. only organisations certified under the Data Privacy Framework."),
    )
    adequacy_reference = models.CharField(_("adequacy decision reference"), max_length=200, blank=True)
    adequacy_needs_certification = models.BooleanField(
        _("adequacy covers certified recipients only"), default=False,
        help_text=_("E.g. the EU-US Data Privacy Framework: only certified organisations are covered."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def local_name(self) -> str:
        """The country's name in the active language (CLDR, through Babel); the stored name where CLDR has none."""
        return territory_name(self.code, translation.get_language()) or self.name

    @property
    def needs_safeguard(self) -> bool:
        """A transfer here needs an Art. 46 safeguard or an Art. 49 derogation (or certification)."""
        return not (self.is_eea or (self.has_adequacy and not self.adequacy_needs_certification))


class CorporateGroup(models.Model):
    """A group of entities that a notice speaks for as "we"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    we_means = models.TextField(
        _("who “we” means"), blank=True, help_text=_("As the notice says it, e.g. 'the X group: A, B and C'."),
    )
    privacy_notice_url = models.URLField(_("group privacy notice"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        PROCESSOR = "processor", _("Processor")
        BOTH = "both", _("Controller and processor")
        REPRESENTATIVE = "representative", _("EU representative (Art. 27)")
        GROUP_MEMBER = "group_member", _("Group member (not a controller)")

    name = models.CharField(_("legal name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    trading_name = models.CharField(_("trading name"), max_length=200, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    registry_details = models.CharField(
        _("registry details"), max_length=300, blank=True, help_text=_("Where and when the entity is registered.")
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country"),
        help_text=_("Leave empty when the organisation's notice does not state it."),
    )
    email = models.EmailField(_("privacy contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    role = models.CharField(
        _("main role"), max_length=20, choices=Role.choices, default=Role.CONTROLLER,
        help_text=_("The role its own records are kept in. Further roles it plays go under 'also acts as'."),
    )
    other_roles = models.JSONField(
        _("also acts as"), default=list, blank=True,
        help_text=_("Every further role, e.g. a controller that is also another entity's EEA representative."),
    )
    group = models.ForeignKey(
        CorporateGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="members",
        verbose_name=_("group"),
    )
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    other_phones = models.TextField(_("further phone numbers"), blank=True, help_text=_("One per line, as stated."))
    privacy_notice_url = models.URLField(_("privacy notice"), blank=True)
    scope_exclusions = models.TextField(
        _("what the notice does not cover"), blank=True,
        help_text=_("As stated, e.g. 'this policy does not cover employees'."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subsidiaries",
        verbose_name=_("parent (group) entity"),
    )
    representative = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="represented",
        verbose_name=_("EU representative (Art. 27)"),
    )
    lead_authority = models.CharField(_("lead supervisory authority"), max_length=200, blank=True)
    binding_language_note = models.CharField(
        _("binding language of the notice"), max_length=200, blank=True,
    )
    applicable_law = models.CharField(
        _("applicable data protection law"), max_length=300, blank=True,
        help_text=_("National law applied beside the GDPR, e.g. a national data protection act."),
    )
    rights_request_requirements = models.TextField(
        _("what a rights request must include"), blank=True,
        help_text=_("Identification asked of a requester, e.g. a copy of an identity document."),
    )
    retention_policy_url = models.URLField(_("retention and erasure policy link"), blank=True)
    request_page_offered = models.BooleanField(
        _("takes rights requests through this product's request page"), default=False,
        help_text=_("Tick only where the organisation names this product's request page as a channel for "
                    "requests: the notice then links to it. Unticked, the notice names only the channels the "
                    "organisation states."),
    )
    primary_language = models.CharField(
        _("language the register is written in"), max_length=8, choices=settings.LANGUAGES, default="en",
        help_text=_("Its texts are required in this language; the others are optional, and a reader whose "
                    "language has no text reads this one."),
    )
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    @property
    def postal_address(self) -> str:
        return ", ".join(p for p in (self.street_address, f"{self.postal_code} {self.city}".strip(), self.region) if p)

    @property
    def roles(self) -> list[str]:
        """Every role it plays: the main one first, then the others (a set, kept in order)."""
        return list(dict.fromkeys([self.role, *(self.other_roles or [])]))

    def clean(self) -> None:
        unknown = [r for r in (self.other_roles or []) if r not in self.Role.values]
        if unknown:
            raise ValidationError({"other_roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}})


class PrivacyContact(models.Model):
    """A named privacy role of an organisation: DPO, CISO, privacy team, representative's contact."""

    class Role(models.TextChoices):
        DPO = "dpo", _("Data protection officer (Art. 37)")
        CISO = "ciso", _("Chief information security officer")
        PRIVACY_TEAM = "privacy", _("Privacy contact point")
        REPRESENTATIVE = "representative", _("Representative's contact (Art. 27)")
        RIGHTS = "rights", _("Contact for exercising rights")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name or function"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    url = models.URLField(_("web form or page"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "role"]
        verbose_name = _("privacy contact")
        verbose_name_plural = _("privacy contacts")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name or self.organisation.name}"


class StatedRight(models.Model):
    """A data subject's right as the organisation states it (Art. 12–22): offered or not and how. The exports say
    these, and mark as derived any right they infer from a legal basis that the organisation does not state."""

    class Right(models.TextChoices):
        # Labels from privacy_registry.law, the one place the GDPR's rights are written down.
        ACCESS = "access", law.RIGHTS["access"].label
        RECTIFICATION = "rectification", law.RIGHTS["rectification"].label
        ERASURE = "erasure", law.RIGHTS["erasure"].label
        RESTRICTION = "restriction", law.RIGHTS["restriction"].label
        PORTABILITY = "portability", law.RIGHTS["portability"].label
        OBJECTION = "objection", law.RIGHTS["objection"].label
        WITHDRAW_CONSENT = "withdraw_consent", law.RIGHTS["withdraw_consent"].label
        AUTOMATED_DECISIONS = "automated_decisions", law.RIGHTS["automated_decisions"].label
        COMPLAINT = "complaint", law.RIGHTS["complaint"].label

    class Offered(models.TextChoices):
        YES = "yes", _("Offered")
        NO = "no", _("Not offered")
        CONDITIONAL = "conditional", _("Offered with conditions")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="stated_rights", verbose_name=_("organisation")
    )
    right = models.CharField(_("right"), max_length=30, choices=Right.choices)
    offered = models.CharField(_("offered"), max_length=20, choices=Offered.choices, default=Offered.YES)
    channel = models.CharField(_("how to ask"), max_length=300, blank=True)
    deadline = models.CharField(_("answered within"), max_length=100, blank=True)
    extension = models.CharField(_("extension"), max_length=200, blank=True)
    fee = models.CharField(_("fee"), max_length=200, blank=True)
    identity_rule = models.CharField(_("identity check"), max_length=300, blank=True)
    delivery_format = models.CharField(_("delivered as"), max_length=200, blank=True)
    conditions = models.TextField(_("conditions or limits"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "right"]
        verbose_name = _("right as stated")
        verbose_name_plural = _("rights as stated")
        constraints = [models.UniqueConstraint(fields=["organisation", "right"], name="stated_right_once_per_org")]

    def __str__(self) -> str:
        return f"{self.get_right_display()}: {self.get_offered_display()}"


class NoticeStatement(ShownInLanguages):
    """Something the organisation states about itself that no other field of the register holds, in its own
    words (as the notice may repeat them): what it does not do ("we do not sell your data"), its security and
    how it handles breaches in words, where the data is stored. Facts only, as stated; never a guess."""

    class Topic(models.TextChoices):
        NOT_DONE = "not_done", _("What is not done")
        SECURITY = "security", _("Security, in words")
        INCIDENTS = "incidents", _("How breaches are handled")
        STORAGE = "storage", _("Where data is stored")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notice_statements", verbose_name=_("organisation")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    # blank=True: a statement is written in the organisation's language, which may not be the product's default;
    # clean() requires it in at least one language.
    text = models.TextField(
        _("statement"), blank=True,
        help_text=_("As the organisation states it, e.g. 'We do not sell your personal data.'"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "topic", "order", "id"]
        verbose_name = _("statement for the notice")
        verbose_name_plural = _("statements for the notice")

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {(self.text or '')[:60]}"

    def clean(self) -> None:
        if not any(getattr(self, f"text_{code}", None) for code, _name in settings.LANGUAGES):
            raise ValidationError({"text": _("Write the statement in at least one language.")})


class Office(models.Model):
    """A place an organisation works from (country office, headquarters) that need not be a legal entity of its own."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="offices", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    is_headquarters = models.BooleanField(_("headquarters"), default=False)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country")
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "-is_headquarters", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="office_unique_per_org")]

    def __str__(self) -> str:
        return f"{self.organisation.name}, {self.name}" if self.organisation_id else self.name


class DataSubjectCategory(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("kept by organisation"),
        help_text=_("Empty: shared by every organisation of the register. Set: this organisation's own."),
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_check = models.CharField(
        _("how age is checked"), max_length=300, blank=True,
        help_text=_("Required when a minimum age is set: how the organisation makes sure of it."),
    )
    vulnerable = models.BooleanField(_("vulnerable individuals"), default=False)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["name"]
        verbose_name = _("data subject category")
        verbose_name_plural = _("data subject categories")

    def __str__(self) -> str:
        return self.name


class PersonalDataCategory(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("kept by organisation"),
        help_text=_("Empty: shared by every organisation of the register. Set: this organisation's own."),
    )
    is_special = models.BooleanField(_("special category (Art. 9)"), default=False)
    special_category = models.CharField(
        _("kind of special category"), max_length=20, choices=SpecialCategory.choices, blank=True
    )
    is_criminal = models.BooleanField(_("criminal convictions and offences (Art. 10)"), default=False)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["name"]
        verbose_name = _("personal data category")
        verbose_name_plural = _("personal data categories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.special_category and not self.is_special:
            raise ValidationError({"is_special": _("A kind of special category is set: mark it special (Art. 9).")})


class Vendor(models.Model):
    """An outside party that receives data: processor, sub-processor, independent or joint controller, or a
    service whose role the organisation does not state.

    A company (Google) is one row; its services (Google Analytics, Google Ads) are rows under it (`company`),
    each with its own category and role, since one company's services can play different roles. A vendor kept
    by one organisation (`organisation`) is that organisation's own; an empty `organisation` is shared by
    every organisation of the register (a group's common list)."""

    class Role(models.TextChoices):
        NOT_STATED = "not_stated", _("Not stated (to be determined)")
        PROCESSOR = "processor", _("Processor (Art. 28)")
        SUB_PROCESSOR = "sub_processor", _("Sub-processor (Art. 28(4))")
        INDEPENDENT_CONTROLLER = "controller", _("Independent controller")
        JOINT_CONTROLLER = "joint_controller", _("Joint controller (Art. 26)")

    class Category(models.TextChoices):
        ANALYTICS = "analytics", _("Analytics")
        ADVERTISING = "advertising", _("Advertising and marketing")
        TAG_MANAGEMENT = "tag_management", _("Tag and consent management")
        COMMUNICATION = "communication", _("Communication (chat, e-mail, messaging, video)")
        CRM = "crm", _("CRM and sales")
        HOSTING = "hosting", _("Hosting and infrastructure")
        OFFICE = "office", _("Office and collaboration software")
        SUPPORT = "support", _("Customer support and ticketing")
        PAYMENT = "payment", _("Payment")
        HR = "hr", _("HR and payroll")
        ACCOUNTING = "accounting", _("Accounting and finance")
        SECURITY = "security", _("Security")
        REGISTRY = "registry", _("Public registry or authority")
        SOCIAL_MEDIA = "social_media", _("Social media")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.NOT_STATED,
        help_text=_("As the organisation states it. 'Not stated' until someone determines it: it is never "
                    "treated as a processor."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    company = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="services",
        verbose_name=_("service of company"),
        help_text=_("For a service (Google Analytics): the company that provides it (Google)."),
    )
    organisation = models.ForeignKey(
        "Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="own_vendors",
        verbose_name=_("kept by organisation"),
        help_text=_("Empty: shared by every organisation of the register. Set: this organisation's own list."),
    )
    service = models.CharField(_("service provided"), max_length=300, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("country of establishment"),
    )
    website = models.URLField(_("website"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    privacy_contact_email = models.EmailField(_("privacy contact e-mail"), blank=True)
    dpa_signed_on = models.DateField(_("DPA signed on"), null=True, blank=True)
    dpa_document = models.FileField(_("DPA document"), upload_to="dpa/", blank=True)
    dpa_url = models.URLField(_("DPA link"), blank=True)
    dpa_in_place = models.BooleanField(
        _("DPA stated to be in place"), default=False,
        help_text=_("The organisation states a processing agreement exists, but no date or copy is on file."),
    )
    dpf_certified = models.BooleanField(_("certified under the EU-US Data Privacy Framework"), default=False)
    engaged_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_processors",
        verbose_name=_("engaged by"), help_text=_("For a sub-processor: the vendor that engaged it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [models.UniqueConstraint(fields=["name", "engaged_by"], name="vendor_unique_name_per_chain")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_processor(self) -> bool:
        return self.role in {self.Role.PROCESSOR, self.Role.SUB_PROCESSOR}

    @property
    def has_dpa(self) -> bool:
        """A DPA on file: a signing date, a copy or a link. A bare statement is not evidence."""
        return bool(self.dpa_signed_on or self.dpa_document or self.dpa_url)

    @property
    def role_stated(self) -> bool:
        return self.role != self.Role.NOT_STATED

    def clean(self) -> None:
        if self.engaged_by_id and self.engaged_by_id == self.pk:
            raise ValidationError({"engaged_by": _("A vendor cannot engage itself.")})
        if self.company_id and self.company_id == self.pk:
            raise ValidationError({"company": _("A service cannot be its own company.")})
        if self.company_id and self.company.company_id:
            raise ValidationError({"company": _("Name the company itself, not another of its services.")})
        if self.role == self.Role.SUB_PROCESSOR and not self.engaged_by_id:
            raise ValidationError({"engaged_by": _("A sub-processor is engaged by another vendor: name it.")})


class System(models.Model):
    """Where data lives: what an erasure has to reach."""

    class Kind(models.TextChoices):
        CRM = "crm", _("CRM")
        MAILBOX = "mailbox", _("Mailbox / e-mail")
        ANALYTICS = "analytics", _("Web analytics")
        ADVERTISING = "advertising", _("Advertising")
        HOSTING = "hosting", _("Hosting / infrastructure")
        FILE_SHARE = "file_share", _("File share / documents")
        OFFICE = "office", _("Office productivity")
        TICKETING = "ticketing", _("Support ticketing")
        PAYMENT = "payment", _("Payment")
        WEBSITE = "website", _("Website / forms / chat")
        HR = "hr", _("HR and payroll")
        ACCOUNTING = "accounting", _("Accounting")
        PRODUCT = "product", _("Own product / SaaS")
        REGISTRY = "registry", _("Public registry")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="systems", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="systems",
        verbose_name=_("provided by"),
    )
    hosting_countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("hosted in")
    )
    description = models.TextField(_("description"), blank=True)
    erasure_method = models.CharField(
        _("how erasure reaches it"), max_length=300, blank=True,
        help_text=_("API, vendor request, manual deletion by the owner…"),
    )
    history = HistoricalRecords(m2m_fields=[hosting_countries])

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("system")
        verbose_name_plural = _("systems")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="system_unique_per_org")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_vendor_scope(self.vendor if self.vendor_id else None, self.organisation_id)


class SecurityMeasure(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical")
        ORGANISATIONAL = "organisational", _("Organisational")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="security_measures", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "kind", "name"]
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="measure_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Article22Exception(models.TextChoices):
    CONTRACT = "a", _("Art. 22(2)(a) necessary for a contract with the subject")
    LAW = "b", _("Art. 22(2)(b) authorised by Union or Member State law")
    EXPLICIT_CONSENT = "c", _("Art. 22(2)(c) explicit consent")


class Schedule1Condition(models.TextChoices):
    """UK Data Protection Act 2018, Schedule 1: the condition a UK controller relies on (s. 10, 11)."""

    P1_EMPLOYMENT = "p1_1", _("Part 1 para 1: employment, social security and social protection")
    P1_HEALTH = "p1_2", _("Part 1 para 2: health or social care purposes")
    P1_PUBLIC_HEALTH = "p1_3", _("Part 1 para 3: public health")
    P1_RESEARCH = "p1_4", _("Part 1 para 4: research etc.")
    P2_STATUTORY = "p2_6", _("Part 2 para 6: statutory and government purposes")
    P2_EQUALITY = "p2_8", _("Part 2 para 8: equality of opportunity or treatment")
    P2_UNLAWFUL_ACTS = "p2_10", _("Part 2 para 10: preventing or detecting unlawful acts")
    P2_FRAUD = "p2_14", _("Part 2 para 14: preventing fraud")
    P2_SAFEGUARDING = "p2_18", _("Part 2 para 18: safeguarding of children and individuals at risk")
    P2_INSURANCE = "p2_20", _("Part 2 para 20: insurance")
    P3_CONSENT = "p3_29", _("Part 3 para 29: consent (criminal offence data)")
    P3_LEGAL_CLAIMS = "p3_33", _("Part 3 para 33: legal claims (criminal offence data)")
    OTHER = "other", _("Another Schedule 1 paragraph (see notes)")


class Adherence(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class ProcessingActivity(models.Model):
    """One row of the record of processing activities: Art. 30(1) for a controller, 30(2) for a processor."""

    class RecordType(models.TextChoices):
        CONTROLLER = "controller", _("Controller record (Art. 30(1))")
        PROCESSOR = "processor", _("Processor record (Art. 30(2))")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    class DpiaRequired(models.TextChoices):
        UNKNOWN = "unknown", _("Not yet screened")
        YES = "yes", _("Required (Art. 35)")
        NO = "no", _("Not required (screened)")

    class DpiaStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        PRIOR_CONSULTATION = "prior_consultation", _("Prior consultation with the authority (Art. 36)")
        NOT_APPLICABLE = "n/a", _("Not applicable")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities",
        verbose_name=_("controller (or processor) keeping the record"),
    )
    record_type = models.CharField(
        _("record type"), max_length=20, choices=RecordType.choices, default=RecordType.CONTROLLER
    )
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    business_function = models.CharField(_("business function / department"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("owner"),
    )
    joint_controllers = models.ManyToManyField(
        Organisation, blank=True, related_name="joint_activities", verbose_name=_("joint controllers (Art. 26)")
    )
    joint_arrangement = models.TextField(_("essence of the joint-controller arrangement"), blank=True)
    other_controllers = models.ManyToManyField(
        Organisation, blank=True, related_name="co_controlled_activities",
        verbose_name=_("further controllers (Art. 26 not asserted)"),
        help_text=_("Other entities (e.g. of the same group) the notice names as controllers, without saying they "
                    "are joint controllers."),
    )
    privacy_notice_url = models.URLField(_("privacy notice for this activity"), blank=True)
    controllers_served = models.TextField(
        _("controllers on whose behalf (Art. 30(2)(a))"), blank=True,
        help_text=_("For a processor record: the controllers, or their category, for whom this is done."),
    )
    subject_categories = models.ManyToManyField(
        DataSubjectCategory, blank=True, related_name="activities", verbose_name=_("categories of data subjects")
    )
    data_categories = models.ManyToManyField(
        PersonalDataCategory, blank=True, related_name="activities", verbose_name=_("categories of personal data")
    )
    systems = models.ManyToManyField(System, blank=True, related_name="activities", verbose_name=_("systems"))
    security_measures = models.ManyToManyField(
        SecurityMeasure, blank=True, related_name="activities", verbose_name=_("security measures (Art. 32)")
    )
    retention_statement = models.TextField(
        _("retention as stated"), blank=True,
        help_text=_("The period as the organisation states it; enforceable rules live in Retention."),
    )
    retention_policy_deviation = models.TextField(
        _("reasons for not following the retention policy"), blank=True,
    )
    dpia_required = models.CharField(
        _("DPIA required"), max_length=20, choices=DpiaRequired.choices, default=DpiaRequired.UNKNOWN
    )
    dpia_status = models.CharField(
        _("DPIA status"), max_length=20, choices=DpiaStatus.choices, default=DpiaStatus.NOT_APPLICABLE
    )
    dpia_link = models.URLField(_("DPIA link"), blank=True)
    dpia_completed_on = models.DateField(_("DPIA completed on"), null=True, blank=True)
    # None: the organisation does not say (never read as "no"); False: it states there is none; True: there is.
    automated_decision_making = models.BooleanField(
        _("automated decision-making (Art. 22)"), null=True, blank=True, default=None,
        help_text=_("'Not stated' unless the organisation says whether it takes such decisions."),
    )
    profiling = models.BooleanField(
        _("profiling"), null=True, blank=True, default=None,
        help_text=_("'Not stated' unless the organisation says whether it profiles."),
    )
    automated_logic = models.TextField(_("logic involved, significance and consequences"), blank=True)
    article22_exception = models.CharField(
        _("Art. 22(2) exception relied on"), max_length=1, choices=Article22Exception.choices, blank=True
    )
    dpa2018_schedule1_condition = models.CharField(
        _("DPA 2018 Schedule 1 condition (UK)"), max_length=20, choices=Schedule1Condition.choices, blank=True,
    )
    other_impact_assessments = models.TextField(_("other impact assessments"), blank=True)
    breach_procedure_url = models.URLField(_("breach procedure"), blank=True)
    retention_policy_adherence = models.CharField(
        _("kept and erased in line with the retention policy?"), max_length=10, choices=Adherence.choices,
        blank=True, help_text=_("Give the reason below when not."),
    )
    review_date = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:privacy_registry_processingactivity_change", args=[self.pk])

    def clean(self) -> None:
        if self.automated_decision_making and not self.automated_logic:
            raise ValidationError(
                {"automated_logic": _("Automated decision-making is marked: describe its logic and consequences.")}
            )
        if self.dpia_status == self.DpiaStatus.COMPLETED and not (self.dpia_link or self.dpia_completed_on):
            raise ValidationError({"dpia_link": _("A completed DPIA needs a link or a completion date.")})


class Purpose(models.Model):
    class ProvisionRequirement(models.TextChoices):
        UNSPECIFIED = "", _("Not stated")
        STATUTORY = "statutory", _("Statutory requirement")
        CONTRACTUAL = "contractual", _("Contractual requirement")
        PRE_CONTRACT = "pre_contract", _("Requirement to enter into a contract")
        VOLUNTARY = "voluntary", _("Voluntary")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="purposes", verbose_name=_("processing activity")
    )
    description = models.CharField(_("purpose"), max_length=400)
    legal_basis = models.CharField(
        _("legal basis (Art. 6(1))"), max_length=1, choices=LegalBasis.choices, blank=True,
        help_text=_("Leave empty only if the basis is genuinely unknown: the register reports it."),
    )
    legal_basis_not_stated = models.BooleanField(
        _("the organisation states no legal basis"), default=False,
        help_text=_("Tick when the notice is silent on the basis. Left unticked with no basis, the basis is "
                    "simply not recorded yet: the register reports the two differently."),
    )
    legal_basis_as_stated = models.CharField(
        _("basis as stated"), max_length=400, blank=True,
        help_text=_("The organisation's own words where they do not map to one Art. 6(1) basis, e.g. "
                    "'legitimate interests or consent', no mapping given."),
    )
    legal_basis_detail = models.CharField(
        _("basis detail"), max_length=300, blank=True,
        help_text=_("The law for (c) or (e), the contract for (b), the interest for (f)."),
    )
    legitimate_interest = models.TextField(_("legitimate interest pursued (Art. 13(1)(d))"), blank=True)
    lia_completed_on = models.DateField(_("legitimate-interests assessment done on"), null=True, blank=True)
    lia_link = models.URLField(_("legitimate-interests assessment link"), blank=True)
    article9_condition = models.CharField(
        _("Art. 9(2) condition"), max_length=1, choices=Article9Condition.choices, blank=True
    )
    article10_basis = models.CharField(_("Art. 10 authority (criminal data)"), max_length=300, blank=True)
    provision_requirement = models.CharField(
        _("is providing the data required? (Art. 13(2)(e))"), max_length=20,
        choices=ProvisionRequirement.choices, blank=True,
    )
    consequence_of_not_providing = models.CharField(_("consequence of not providing"), max_length=300, blank=True)
    retention_statement = models.CharField(
        _("retention for this purpose, as stated"), max_length=300, blank=True,
        help_text=_("Only when it differs from the activity's."),
    )
    direct_marketing = models.BooleanField(
        _("direct marketing"), default=False,
        help_text=_("Art. 21(2)-(3): an objection to direct marketing always stops this purpose, with no balancing."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["activity", "order", "id"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.description

    @property
    def has_lia(self) -> bool:
        return bool(self.lia_completed_on or self.lia_link)

    def clean(self) -> None:
        if self.legal_basis and self.legal_basis_not_stated:
            raise ValidationError({"legal_basis_not_stated": _(
                "A basis is chosen: untick 'states no legal basis' (keep the words under 'basis as stated')."
            )})


class DataSource(models.Model):
    class Kind(models.TextChoices):
        SUBJECT = "subject", _("The data subject")
        EMPLOYER = "employer", _("The subject's employer or principal")
        THIRD_PARTY = "third_party", _("Another organisation")
        PUBLIC = "public", _("Publicly accessible source")
        OBSERVED = "observed", _("Observed (website, device, usage)")
        DERIVED = "derived", _("Derived or inferred by the organisation")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="sources", verbose_name=_("processing activity")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("which source"), max_length=300, blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["activity", "kind"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return self.description or self.get_kind_display()


class Recipient(models.Model):
    """A category of recipient (Art. 30(1)(d)): internal, processor, third party, authority."""

    class Kind(models.TextChoices):
        # The default: a recipient's role is what the organisation says it is, and nothing until it says so.
        NOT_STATED = "not_stated", _("Not stated")
        INTERNAL = "internal", _("Internal (staff, department)")
        GROUP = "group", _("Group company")
        PROCESSOR = "processor", _("Processor")
        SERVICE_PROVIDER = "service_provider", _("Service provider (role not stated)")
        # Only where the organisation's notice says the recipient decides on its own use of the data.
        THIRD_PARTY = "third_party", _("Third party (independent controller)")
        AUTHORITY = "authority", _("Public authority")
        BUYER = "buyer", _("Acquirer in a business transfer")
        PUBLIC = "public", _("Public register / the public")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("processing activity")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.NOT_STATED,
        help_text=_("As the organisation states it; 'not stated' until it does. An independent controller only "
                    "where its notice says the recipient decides its own use of the data."),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="recipient_of", verbose_name=_("vendor")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country")
    )
    data_categories = models.ManyToManyField(
        PersonalDataCategory, blank=True, related_name="recipients", verbose_name=_("data categories received"),
        help_text=_("Which of the activity's data this recipient receives. Empty: not recorded."),
    )
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["activity", "kind"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.description or (self.vendor.name if self.vendor_id else self.get_kind_display())

    def clean(self) -> None:
        vendor = self.vendor if self.vendor_id else None
        check_vendor_scope(vendor, self.activity.organisation_id if self.activity_id else None)
        if self.kind == self.Kind.PROCESSOR and vendor is not None and not vendor.is_processor:
            raise ValidationError({"kind": _("The vendor is not recorded as a processor: choose the kind its role "
                                             "supports (a service provider when the role is not stated).")})


class Transfer(models.Model):
    """A transfer to a third country or international organisation (Art. 44–49)."""

    class Mechanism(models.TextChoices):
        NONE = "", _("None recorded")
        NOT_STATED = "not_stated", _("None stated by the organisation")
        PROVIDER_TERMS = "provider_terms", _("Under the provider's own terms (no safeguard named)")
        ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
        DPF = "dpf", _("EU-US Data Privacy Framework certification (Art. 45)")
        SCC = "scc", _("Standard contractual clauses (Art. 46(2)(c))")
        BCR = "bcr", _("Binding corporate rules (Art. 47)")
        CODE = "code", _("Approved code of conduct (Art. 46(2)(e))")
        CERTIFICATION = "certification", _("Approved certification (Art. 46(2)(f))")
        DEROGATION = "derogation", _("Derogation for a specific situation (Art. 49)")

    class Derogation(models.TextChoices):
        NONE = "", _("—")
        EXPLICIT_CONSENT = "a", _("Art. 49(1)(a) explicit consent")
        CONTRACT = "b", _("Art. 49(1)(b) contract with the subject")
        CONTRACT_THIRD = "c", _("Art. 49(1)(c) contract in the subject's interest")
        PUBLIC_INTEREST = "d", _("Art. 49(1)(d) important reasons of public interest")
        LEGAL_CLAIMS = "e", _("Art. 49(1)(e) legal claims")
        VITAL = "f", _("Art. 49(1)(f) vital interests")
        PUBLIC_REGISTER = "g", _("Art. 49(1)(g) public register")
        COMPELLING = "compelling", _("Art. 49(1) second subparagraph, compelling legitimate interests")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("processing activity")
    )
    destination = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("destination country"),
        help_text=_("Empty when the organisation does not name the country: say what it does state below."),
    )
    destination_description = models.CharField(
        _("destination as stated"), max_length=300, blank=True,
        help_text=_("E.g. 'hosting providers in several countries outside the EU', 'public WHOIS, worldwide'."),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers",
        verbose_name=_("recipient vendor"),
    )
    international_organisation = models.CharField(_("international organisation"), max_length=200, blank=True)
    receiving_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_received",
        verbose_name=_("receiving group entity"), help_text=_("An intra-group transfer: the entity that receives it."),
    )
    receiving_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_received",
        verbose_name=_("receiving office"),
        help_text=_("An intra-group transfer to an office that is not a legal entity of its own."),
    )
    mechanism = models.CharField(_("safeguard"), max_length=20, choices=Mechanism.choices, blank=True)
    derogation = models.CharField(_("Art. 49 derogation"), max_length=20, choices=Derogation.choices, blank=True)
    safeguard_document = models.URLField(_("safeguard document"), blank=True)
    tia_completed_on = models.DateField(_("transfer impact assessment done on"), null=True, blank=True)
    tia_link = models.URLField(_("transfer impact assessment link"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["activity", "destination"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        who = self.vendor.name if self.vendor_id else (
            self.international_organisation
            or (self.receiving_organisation.name if self.receiving_organisation_id else "")
        )
        where = self.destination_id or self.destination_description or "?"
        return f"{who} → {where}" if who else str(where)

    @property
    def needs_safeguard(self) -> bool:
        """An unnamed destination is treated as a third country: nothing shows it is safe."""
        return self.destination is None or self.destination.needs_safeguard

    def clean(self) -> None:
        check_vendor_scope(self.vendor if self.vendor_id else None,
                           self.activity.organisation_id if self.activity_id else None)
        if not self.destination_id and not self.destination_description:
            raise ValidationError({"destination": _("Name the country, or describe the destination as stated.")})
        if self.destination_id and self.destination.is_eea:
            raise ValidationError({"destination": _(
                "%(country)s is in the EEA: sending data there is not a third-country transfer (Chapter V). "
                "Record the receiver as a recipient instead."
            ) % {"country": self.destination.name}})
        if self.receiving_office_id and self.receiving_organisation_id and (
            self.receiving_office.organisation_id != self.receiving_organisation_id
        ):
            raise ValidationError({"receiving_office": _("The office belongs to another entity.")})
        if self.mechanism == self.Mechanism.DEROGATION and not self.derogation:
            raise ValidationError({"derogation": _("Name the Art. 49 derogation relied on.")})
        if self.derogation and self.mechanism != self.Mechanism.DEROGATION:
            raise ValidationError({"mechanism": _("A derogation is named: choose 'Derogation (Art. 49)'.")})


class Incident(models.Model):
    """The breach register (Art. 33(5)), with the 72-hour clock of Art. 33(1)."""

    class Risk(models.TextChoices):
        UNASSESSED = "unassessed", _("Not yet assessed")
        UNLIKELY = "unlikely", _("Unlikely to result in a risk (record only)")
        RISK = "risk", _("Risk: notify the authority (Art. 33)")
        HIGH = "high", _("High risk: notify authority and subjects (Art. 34)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    detected_at = models.DateTimeField(_("became aware at"), default=timezone.now)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    nature = models.TextField(_("nature of the breach"), blank=True)
    activities = models.ManyToManyField(
        ProcessingActivity, blank=True, related_name="incidents", verbose_name=_("processing activities affected")
    )
    subject_categories = models.ManyToManyField(
        DataSubjectCategory, blank=True, related_name="incidents", verbose_name=_("categories of subjects affected")
    )
    data_categories = models.ManyToManyField(
        PersonalDataCategory, blank=True, related_name="incidents", verbose_name=_("categories of data affected")
    )
    approx_subjects = models.PositiveIntegerField(_("approximate number of subjects"), null=True, blank=True)
    approx_records = models.PositiveIntegerField(_("approximate number of records"), null=True, blank=True)
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures = models.TextField(_("measures taken or proposed"), blank=True)
    risk = models.CharField(_("risk"), max_length=20, choices=Risk.choices, default=Risk.UNASSESSED)
    authority = models.CharField(_("supervisory authority"), max_length=200, blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    delay_reason = models.TextField(_("reasons for a notification later than 72 hours"), blank=True)
    subjects_notified_at = models.DateTimeField(_("subjects notified at"), null=True, blank=True)
    decision = models.TextField(_("decisions and their reasoning"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    history = HistoricalRecords(m2m_fields=[activities, subject_categories, data_categories])

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("incident (personal data breach)")
        verbose_name_plural = _("incidents (personal data breaches)")
        indexes = [models.Index(fields=["status", "detected_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def notification_deadline(self):
        return self.detected_at + BREACH_NOTIFICATION_WINDOW

    @property
    def needs_authority_notification(self) -> bool:
        return self.risk in {self.Risk.UNASSESSED, self.Risk.RISK, self.Risk.HIGH}

    @property
    def clock_running(self) -> bool:
        return self.needs_authority_notification and self.authority_notified_at is None

    @property
    def is_overdue(self) -> bool:
        return self.clock_running and timezone.now() > self.notification_deadline

    def time_left(self, now=None) -> timedelta:
        return self.notification_deadline - (now or timezone.now())

    def clean(self) -> None:
        if self.occurred_at and self.detected_at and self.occurred_at > self.detected_at:
            raise ValidationError({"occurred_at": _("A breach cannot occur after it was detected.")})
        if (
            self.authority_notified_at
            and self.detected_at
            and self.authority_notified_at > self.notification_deadline
            and not self.delay_reason
        ):
            raise ValidationError({"delay_reason": _("Notified after 72 hours: give the reasons (Art. 33(1)).")})
