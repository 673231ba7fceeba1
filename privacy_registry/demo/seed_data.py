"""The three seed organisations (the seed policies) as register data, paraphrased from their privacy policies.

Rules the data follows, because the register's gap reports depend on them:
- A legal basis is recorded only where the policy states one; otherwise it stays blank and, on a controller's
  record, is marked "not stated" (the policy is silent), which the register reports apart from "not recorded".
  Where the policy's words are not one Art. 6(1) basis, they are kept as stated beside the mapping.
- A vendor's role is "not stated" unless the policy calls it a processor (or a controller): a service provider
  is not a processor until someone says so.
- A vendor gets no DPA date or document unless the policy gives one. A DPA the policy says exists, without a
  date or copy, is `dpa_in_place`: the register then warns that no copy is on file instead of reporting none.
- Countries are set only where the policy names them; Antura's policy names none, so its country stays empty.
- A transfer whose country the policy does not name is recorded with no destination and the destination as
  stated. No safeguard is recorded unless the policy names one: an assurance that a provider "follows the
  GDPR" is not an Art. 46 safeguard, so the gap shows.
- Retention is stated per activity; a purpose carries its own statement only where the policy gives it a
  period of its own.

The shapes are plain frozen dataclasses so `seeds.load()` can stay generic over them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from privacy_registry.models import (
    DataSource,
    LegalBasis,
    NoticeStatement,
    Organisation,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    System,
    Transfer,
    Vendor,
)


@dataclass(frozen=True)
class SubjectCategorySeed:
    name: str
    description: str = ""
    minimum_age: int | None = None
    age_check: str = ""


@dataclass(frozen=True)
class DataCategorySeed:
    name: str
    description: str = ""


@dataclass(frozen=True)
class VendorSeed:
    name: str
    # What the policy calls it; "not stated" unless it does. A service provider is not a processor until said so.
    role: str = Vendor.Role.NOT_STATED
    category: str = ""
    company: str | None = None  # for a service: the company's seed name
    organisation: str | None = None  # slug of the organisation whose own list it is on; None: shared
    legal_name: str = ""
    service: str = ""
    country: str | None = None
    website: str = ""
    engaged_by: str | None = None
    dpa_signed_on: date | None = None
    dpa_url: str = ""
    dpa_in_place: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ContactSeed:
    role: str
    name: str = ""
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    url: str = ""


@dataclass(frozen=True)
class SystemSeed:
    name: str
    kind: str
    vendor: str | None = None
    hosting_countries: tuple[str, ...] = ()
    description: str = ""
    erasure_method: str = ""


@dataclass(frozen=True)
class MeasureSeed:
    name: str
    kind: str
    description: str = ""


@dataclass(frozen=True)
class PurposeSeed:
    description: str
    legal_basis: str = ""
    legal_basis_as_stated: str = ""  # the policy's own words where they are not one Art. 6(1) basis
    legal_basis_detail: str = ""
    legitimate_interest: str = ""
    provision_requirement: str = ""
    consequence_of_not_providing: str = ""
    retention_statement: str = ""
    direct_marketing: bool = False  # Art. 21(2): an objection to direct marketing stops it


@dataclass(frozen=True)
class SourceSeed:
    kind: str
    description: str


@dataclass(frozen=True)
class RecipientSeed:
    kind: str
    description: str
    vendor: str | None = None
    country: str | None = None
    data_categories: tuple[str, ...] = ()  # only where the policy says what this recipient receives


@dataclass(frozen=True)
class TransferSeed:
    destination: str | None
    destination_description: str = ""
    vendor: str | None = None
    mechanism: str = ""
    derogation: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ActivitySeed:
    name: str
    description: str
    purposes: tuple[PurposeSeed, ...]
    retention_statement: str
    retention_policy_deviation: str = ""
    record_type: str = ProcessingActivity.RecordType.CONTROLLER
    business_function: str = ""
    controllers_served: str = ""
    subject_categories: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    sources: tuple[SourceSeed, ...] = ()
    recipients: tuple[RecipientSeed, ...] = ()
    systems: tuple[str, ...] = ()
    security_measures: tuple[str, ...] = ()
    transfers: tuple[TransferSeed, ...] = ()
    # None: the policy does not say (the register then says "not stated", never "no").
    profiling: bool | None = None
    automated_decision_making: bool | None = None
    automated_logic: str = ""


@dataclass(frozen=True)
class StatementSeed:
    """A NoticeStatement: a fact the policy states, in the project's own words, in the policy's language."""

    topic: str
    text: str
    language: str = "en"


@dataclass(frozen=True)
class OrganisationSeed:
    slug: str
    name: str
    country: str | None
    role: str
    activities: tuple[ActivitySeed, ...]
    trading_name: str = ""
    registration_number: str = ""
    registry_details: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    lead_authority: str = ""
    binding_language_note: str = ""
    applicable_law: str = ""
    rights_request_requirements: str = ""
    retention_policy_url: str = ""
    primary_language: str = "en"  # the language the organisation writes its register (and its policy) in
    representative: str | None = None
    contacts: tuple[ContactSeed, ...] = ()
    systems: tuple[SystemSeed, ...] = ()
    security_measures: tuple[MeasureSeed, ...] = ()
    statements: tuple[StatementSeed, ...] = ()


# Shortcuts keep the tables below readable.
A, B, C, F = LegalBasis.CONSENT, LegalBasis.CONTRACT, LegalBasis.LEGAL_OBLIGATION, LegalBasis.LEGITIMATE_INTERESTS
TECH, ORG = SecurityMeasure.Kind.TECHNICAL, SecurityMeasure.Kind.ORGANISATIONAL
CONTROLLER_RECORD, PROCESSOR_RECORD = ProcessingActivity.RecordType.CONTROLLER, ProcessingActivity.RecordType.PROCESSOR
S = DataSource.Kind
R = Recipient.Kind
K = System.Kind

# --- Categories shared by the register (names are unique across organisations) -----------------------------------

SUBJECT_CATEGORIES: tuple[SubjectCategorySeed, ...] = (
    SubjectCategorySeed(
        "Customer contact person",
        "Person a customer organisation names as its contact: contract or commercial matters, system "
        "administrator, system owner or another designated responsibility.",
    ),
    SubjectCategorySeed(
        "Prospect", "Potential buyer met in sales meetings, fairs, conferences or an ongoing sales dialogue."
    ),
    SubjectCategorySeed("Employee", "Current and former employees."),
    SubjectCategorySeed("Contractor", "Current and former contractors on assignment."),
    SubjectCategorySeed("Partner contact", "Contact persons of current and former partners."),
    SubjectCategorySeed("Supplier contact", "Contact persons of current and former suppliers."),
    SubjectCategorySeed("Website visitor", "Person browsing the organisation's website."),
    SubjectCategorySeed("Enquirer", "Person who sends a contact form, chats with a bot or books a demo."),
    SubjectCategorySeed(
        "Product user (customer's staff)",
        "Person who uses a product in their professional role; their employer or principal is the controller.",
    ),
    SubjectCategorySeed("Customer", "Person in an active or former customer relationship."),
    SubjectCategorySeed("Newsletter subscriber", "Person who chose to receive e-mail newsletters or other content."),
    SubjectCategorySeed("Event participant", "Person registered for an event, possibly run with an external party."),
    SubjectCategorySeed("E-mail correspondent", "Internal or external person in day-to-day e-mail or phone contact."),
    # Antara's website is for people over 14; the policy does not say how age is checked, so age_check
    # stays blank and the register shows the gap.
    SubjectCategorySeed(
        "Online customer (over 14)",
        "Customer who registers or orders through the website, which is meant for people over 14.",
        minimum_age=14,
    ),
    SubjectCategorySeed(
        "Website visitor (over 14)", "Visitor of a website meant for people over 14.", minimum_age=14,
    ),
)

DATA_CATEGORIES: tuple[DataCategorySeed, ...] = (
    DataCategorySeed("Identity", "First and last name."),
    DataCategorySeed("Contact details", "E-mail address, telephone number, postal address."),
    DataCategorySeed(
        "Professional details",
        "Employer or company, role or title, area of responsibility, industry, company address.",
    ),
    DataCategorySeed("Commercial interests", "Products or services the person is interested in or already has."),
    DataCategorySeed("Correspondence and enquiries", "Messages, form and chat answers, notes from calls and e-mails."),
    DataCategorySeed("Online identifiers", "Cookie identifiers, local and session storage, eTags, pixels and tags."),
    DataCategorySeed("IP address"),
    DataCategorySeed(
        "Device and browser data", "Browser type and language, operating system or platform, internet provider."
    ),
    DataCategorySeed(
        "Website usage",
        "Pages visited, entry and exit pages, referring URL, clicks, time stamps, events and conversions.",
    ),
    DataCategorySeed("Preferences and interests", "Tastes, preferences and interests, stated or inferred."),
    DataCategorySeed("Subscription choices", "Newsletters and content the person chose to receive, opt-outs."),
    DataCategorySeed("Account credentials", "Customer identification number and password."),
    DataCategorySeed("Payment data", "Payment details, invoices, collections and outstanding amounts."),
    DataCategorySeed("Payroll and tax data", "What is needed to pay salaries, taxes and fees."),
    DataCategorySeed(
        "Supplier and partner invoicing data", "What is needed to pay invoices and reach the right representatives."
    ),
    DataCategorySeed("Domain registrant data", "Registrant details that domain registries publish in Whois."),
    DataCategorySeed(
        "Customer-controlled content",
        "Whatever a customer and its users enter or upload into the product, including photos, images and documents.",
    ),
)

# --- Vendors (shared; a sub-processor names the vendor that engaged it) ---------------------------------------------

# Antara says each service provider is bound by a service contract with privacy duties (dpa_in_place) but gives
# no date or copy; what the contract requires is the measure "Service-provider contracts with equivalent
# confidentiality".
_ANTARA_PROVIDER_NOTE = "Named by Antara among its service providers; the policy says the list is not exhaustive."

VENDORS: tuple[VendorSeed, ...] = (
    # Antura names Google's tools and Leadoo and says nothing of their role, contracts, entity or country.
    VendorSeed(
        "Google", organisation="antura",
        service="Google Analytics, Google Ads and Google Tag Manager (see its services).",
        notes="Named by Antura. The policy does not give Google's legal entity, country, role or contract terms.",
    ),
    VendorSeed(
        "Google Analytics", company="Google", category=Vendor.Category.ANALYTICS, organisation="antura",
        service="Statistics and analysis of how the website is used.",
    ),
    VendorSeed(
        "Google Ads", company="Google", category=Vendor.Category.ADVERTISING, organisation="antura",
        service="Advertising, conversion measurement and campaign follow-up.",
    ),
    VendorSeed(
        "Google Tag Manager", company="Google", category=Vendor.Category.TAG_MANAGEMENT, organisation="antura",
        service="Loads the website's tags according to consent choices; not itself used for analytics or advertising.",
    ),
    VendorSeed(
        "Leadoo", category=Vendor.Category.COMMUNICATION, organisation="antura",
        service="Chat bots, forms, lead generation and conversion analysis; with consent also visitor "
        "tracking and company identification.",
        notes="Named by Antura. Retention set by default to up to 5 years, adjustable by Antura.",
    ),
    # Antara calls them "service providers" bound by a service contract with privacy duties (dpa_in_place) but
    # never says processor: their role stays "not stated".
    VendorSeed(
        "Amazon Web Services", category=Vendor.Category.HOSTING, organisation="antara",
        service="Hosting and server virtualisation.", dpa_in_place=True, notes=_ANTARA_PROVIDER_NOTE,
    ),
    VendorSeed(
        "Salesforce", category=Vendor.Category.CRM, organisation="antara", service="CRM software.",
        dpa_in_place=True, notes=_ANTARA_PROVIDER_NOTE,
    ),
    VendorSeed(
        "HubSpot", category=Vendor.Category.CRM, organisation="antara", service="CRM software.",
        dpa_in_place=True, notes=_ANTARA_PROVIDER_NOTE,
    ),
    VendorSeed(
        "Microsoft", category=Vendor.Category.OFFICE, organisation="antara",
        service="Office 365 personal productivity and office software.", dpa_in_place=True,
        notes=_ANTARA_PROVIDER_NOTE,
    ),
    VendorSeed(
        "Atlassian", category=Vendor.Category.SUPPORT, organisation="antara",
        service="User support service and support-ticket management.", dpa_in_place=True,
        notes=_ANTARA_PROVIDER_NOTE,
    ),
    VendorSeed(
        "Stripe", category=Vendor.Category.PAYMENT, organisation="antara", service="Means of payment.",
        dpa_in_place=True, notes=_ANTARA_PROVIDER_NOTE,
    ),
    # "The Public Entity Red.es": Antara states no role for it.
    VendorSeed(
        "Red.es", category=Vendor.Category.REGISTRY, organisation="antara",
        service="Public entity that keeps the .es domain-name registry; registrant data is public at nic.es.",
        country="ES",
        website="https://www.nic.es",
    ),
    VendorSeed(
        "7Sense",
        # "Vi har ett dataprocessoravtal med 7Sense AS": a data processing agreement, so a processor as stated.
        role=Vendor.Role.PROCESSOR,
        category=Vendor.Category.CRM,
        organisation="avara",
        legal_name="7Sense AS",
        service="Avara's customer system (CRM).",
        # Avara states a data processing agreement with 7Sense AS exists; no date or copy is given.
        dpa_in_place=True,
        notes="Named by Avara as the provider of its customer system.",
    ),
    # Avara says 7Sense has agreements with its own sub-processors but names none: one row stands for them
    # so the chain is visible and the missing list shows as a gap rather than disappearing.
    VendorSeed(
        "7Sense sub-processors (not named)",
        role=Vendor.Role.SUB_PROCESSOR,
        organisation="avara",
        engaged_by="7Sense",
        service="Sub-processors 7Sense engages for the customer system.",
        # Avara states 7Sense has agreements with them; no date or copy is given.
        dpa_in_place=True,
        notes="Who they are is not stated.",
    ),
)

# --- Antura -----------------------------------------------------------------------------------------------------

_ANTURA_ENQUIRY_BASIS = "“Normally our legitimate interest in being able to respond to and follow up on your " \
    "request, or to take steps at your request prior to entering into a potential agreement”"
_COOKIE_CONSENT = "Cookie banner: accept all, reject non-essential or choose per purpose; changed or withdrawn any " \
    "time through Cookie Settings."
_GA_RETENTION = "Google Analytics cookies: configurable from immediate deletion up to 25 months; the setting in use " \
    "is not stated."
_ADS_RETENTION = "Google Ads cookies: depends on the cookie, e.g. 90 days, 6 months or 13 months."
_LEADOO_RETENTION = "Leadoo: up to 5 years by default, adjustable by Antura and possibly shorter."

NS = NoticeStatement.Topic

ANTURA = OrganisationSeed(
    slug="antura",
    statements=(
        StatementSeed(NS.SECURITY, "Antura protects personal data against unauthorised access with technical and "
                      "organisational measures that follow industry standards. Few employees can reach data in "
                      "customers' environments; who may reach which environment is governed and monitored under an "
                      "internal procedure."),
        StatementSeed(NS.INCIDENTS, "Antura has procedures for reporting and handling personal data incidents."),
    ),
    name="Antura",
    # The policy states no country or address: left empty rather than guessed.
    country=None,
    role=Organisation.Role.BOTH,
    contacts=(
        ContactSeed(PrivacyContact.Role.DPO, name="Data Protection Officer"),
        ContactSeed(PrivacyContact.Role.CISO, name="Chief Information Security Officer"),
        # The policy links the form ("click HERE") without giving its address, so `url` stays empty.
        ContactSeed(PrivacyContact.Role.RIGHTS, name="Deletion request form on Antura's website"),
    ),
    systems=(
        SystemSeed(
            "Antura Projects",
            K.PRODUCT,
            description="Antura's own product, used by customers as a product or a service. Files and images "
            "attached from mobile devices are kept on Antura's server.",
            erasure_method="The customer deletes through the product; time-limited data is deleted automatically.",
        ),
        SystemSeed(
            "Google Analytics", K.ANALYTICS, vendor="Google Analytics", description="Statistics on website use."
        ),
        SystemSeed(
            "Google Ads", K.ADVERTISING, vendor="Google Ads", description="Advertising and conversion measurement."
        ),
        SystemSeed(
            "Google Tag Manager",
            K.WEBSITE,
            vendor="Google Tag Manager",
            description="Loads and controls the website's scripts, pixels and tags according to consent choices; "
            "does not itself analyse or advertise and normally sets no cookies of its own.",
        ),
        SystemSeed(
            "Leadoo",
            K.WEBSITE,
            vendor="Leadoo",
            description="Chat, bots and forms on the website; with consent also visitor tracking and company "
            "identification.",
        ),
    ),
    security_measures=(
        MeasureSeed(
            "Restricted, monitored access to customer environments",
            ORG,
            "Only a few staff have administrator access to a given customer's environment; who may access which "
            "environment is decided and checked under an internal procedure.",
        ),
        MeasureSeed(
            "Incident reporting and handling procedure", ORG, "Procedures to report and manage personal data incidents."
        ),
        MeasureSeed(
            "DPO and CISO appointed", ORG, "A data protection officer and a security officer represent the company."
        ),
        MeasureSeed(
            "Industry-standard protection against unauthorised access",
            TECH,
            "Technical and organisational measures in line with industry standards.",
        ),
        MeasureSeed(
            "Built-in authorisation system", TECH, "The product's permissions limit who sees which personal data."
        ),
        MeasureSeed("Login required", TECH, "Nothing in the product is visible without logging in."),
        MeasureSeed(
            "Data protection by default",
            TECH,
            "Only first name, last name and e-mail are mandatory for a user; time-limited data is deleted "
            "automatically by default, with an adjustable period.",
        ),
        MeasureSeed(
            "Data protection by design",
            TECH,
            "Product functions for data minimisation, pseudonymisation and deletion.",
        ),
        MeasureSeed(
            "Consent-controlled tags",
            TECH,
            "Tag Manager and Google Consent Mode fire analytics and advertising tags only per the visitor's choices.",
        ),
    ),
    activities=(
        ActivitySeed(
            "Customer contact persons",
            "Contact details of the people a customer names as its contacts towards Antura, used to reach them "
            "and serve the customer.",
            business_function="Customer care",
            purposes=(
                PurposeSeed("Contact the customer's designated contact persons and serve the customer"),
                PurposeSeed(
                    "E-mail communications, selections and basic customer-care analyses", direct_marketing=True,
                ),
            ),
            subject_categories=("Customer contact person",),
            data_categories=("Identity", "Contact details", "Professional details"),
            sources=(SourceSeed(S.EMPLOYER, "Named by the customer organisation, the contracting party"),),
            retention_statement="Kept while the organisation remains a customer, also after the person leaves the "
            "contact role, unless they ask to be deleted; deleted at the latest 10 years after the organisation "
            "stops being a customer.",
        ),
        ActivitySeed(
            "Prospects (potential buyers)",
            "Contact details of potential buyers of Antura Projects met at sales meetings, trade fairs, "
            "conferences and other meetings.",
            business_function="Sales",
            purposes=(
                PurposeSeed(
                    "Follow up and serve potential buyers in their contacts with Antura",
                    legal_basis=F,
                    legal_basis_detail="Balancing of interests, as stated in the policy.",
                    legitimate_interest="Serving potential buyers well over sales cycles that can be very long.",
                ),
            ),
            subject_categories=("Prospect",),
            data_categories=("Identity", "Contact details", "Professional details"),
            sources=(SourceSeed(S.SUBJECT, "Met in sales meetings, trade fairs, conferences and other meetings"),),
            retention_statement="Up to ten years, because sales cycles in the industry can be very long; the person "
            "can ask to be deleted at any time.",
        ),
        ActivitySeed(
            "Employees, contractors, partners and suppliers",
            "Business records of people with a current or past employment, assignment, partnership or supplier "
            "relationship.",
            business_function="Administration",
            purposes=(
                PurposeSeed("Pay salaries, taxes and fees"),
                PurposeSeed("Pay invoices"),
                PurposeSeed("Reach the right representatives of partners and suppliers"),
            ),
            subject_categories=("Employee", "Contractor", "Partner contact", "Supplier contact"),
            # The policy names the purposes (salaries, invoices, taxes and fees, reaching representatives) but lists
            # no categories of data: none are recorded.
            retention_statement="At most 10 years after the employment, assignment or partnership ends, then "
            "deleted; the person may be registered again if a new relationship starts.",
        ),
        ActivitySeed(
            "Website analytics and advertising",
            "Personal and technical data on visits to Antura's website, through cookies and "
            "similar technologies loaded by Google Tag Manager.",
            business_function="Marketing",
            purposes=(
                # The policy's cookie table gives each service its purposes and periods, so the purposes carry them.
                PurposeSeed(
                    "Analyse and improve the website's functions, content and user experience",
                    legal_basis=A, legal_basis_detail=_COOKIE_CONSENT, retention_statement=_GA_RETENTION,
                ),
                PurposeSeed(
                    "Measure marketing effectiveness and follow up campaigns and conversions",
                    legal_basis=A, legal_basis_detail=_COOKIE_CONSENT,
                    retention_statement=f"{_ADS_RETENTION} {_LEADOO_RETENTION}",
                ),
                PurposeSeed(
                    "Show relevant advertisements and measure their results",
                    direct_marketing=True,
                    legal_basis=A, legal_basis_detail=_COOKIE_CONSENT, retention_statement=_ADS_RETENTION,
                ),
                PurposeSeed(
                    "Identify companies visiting the website and gauge interest in Antura's offer",
                    legal_basis=A, legal_basis_detail=_COOKIE_CONSENT, retention_statement=_LEADOO_RETENTION,
                ),
                # Necessary cookies are exempt from the consent requirement, but the policy names no
                # Art. 6 basis for them.
                PurposeSeed("Make the website work and keep the visitor's settings (necessary cookies)"),
            ),
            subject_categories=("Website visitor",),
            data_categories=("Online identifiers", "Website usage", "Device and browser data"),
            sources=(SourceSeed(S.OBSERVED, "Cookies and similar technologies on Antura's website"),),
            recipients=(
                RecipientSeed(R.SERVICE_PROVIDER, "Google Analytics (statistics)", vendor="Google Analytics"),
                RecipientSeed(R.SERVICE_PROVIDER, "Google Ads (advertising, conversions)", vendor="Google Ads"),
                RecipientSeed(R.SERVICE_PROVIDER, "Google Tag Manager (loads the tags)", vendor="Google Tag Manager"),
                RecipientSeed(
                    R.SERVICE_PROVIDER, "Leadoo (visitor tracking, conversion analysis)", vendor="Leadoo"
                ),
            ),
            systems=("Google Analytics", "Google Ads", "Google Tag Manager", "Leadoo"),
            security_measures=("Consent-controlled tags",),
            retention_statement="Google Analytics cookies: configurable between immediate deletion and 25 months (the "
            "GA4 setting in use is not stated). Google Ads cookies: depends on the cookie, e.g. 90 days, 6 months or "
            "13 months. Leadoo: up to 5 years by default, adjustable by Antura and possibly shorter. Marketing data "
            "is kept no longer than its purpose needs.",
        ),
        ActivitySeed(
            "Website enquiries, chat and demo bookings",
            "Details people give in Leadoo bots and forms, chat or demo bookings; the bots work without "
            "analytics consent, like a contact form.",
            business_function="Sales",
            purposes=(
                PurposeSeed(
                    "Handle and follow up the person's request and contact them",
                    legal_basis=F,
                    legal_basis_as_stated=_ANTURA_ENQUIRY_BASIS,
                    legal_basis_detail="The policy says this is normally the basis.",
                    legitimate_interest="Being able to answer and follow up the person's request.",
                ),
                PurposeSeed(
                    "Take steps the person asks for before a possible agreement, such as a demo",
                    legal_basis=B,
                    legal_basis_as_stated=_ANTURA_ENQUIRY_BASIS,
                    legal_basis_detail="Pre-contractual steps at the person's request.",
                ),
            ),
            subject_categories=("Enquirer", "Prospect"),
            data_categories=("Identity", "Contact details", "Professional details", "Correspondence and enquiries"),
            sources=(SourceSeed(S.SUBJECT, "Leadoo bots and forms, chat, demo bookings"),),
            recipients=(RecipientSeed(
                R.SERVICE_PROVIDER, "Leadoo (chat, bots, forms)", vendor="Leadoo",
                # "such as your name, email address, telephone number, company or message"
                data_categories=(
                    "Identity", "Contact details", "Professional details", "Correspondence and enquiries",
                ),
            ),),
            systems=("Leadoo", "Google Tag Manager"),
            retention_statement="No longer than the purpose needs; potential buyers' details may be kept up to ten "
            "years because sales cycles are long. Leadoo keeps data up to 5 years by default.",
        ),
        ActivitySeed(
            "Support and consulting in customer environments",
            "Antura staff reach a customer's Antura environment through an administrator account to troubleshoot "
            "and help; for that access Antura is the customer's processor.",
            record_type=PROCESSOR_RECORD,
            business_function="Support and consulting",
            controllers_served="Antura's customers: the employers or principals of Antura users.",
            purposes=(
                PurposeSeed(
                    "Troubleshoot and assist the customer in its Antura environment",
                    legal_basis_detail="Processor: the customer, as controller, holds the basis; Antura acts under "
                    "the agreement.",
                ),
            ),
            subject_categories=("Product user (customer's staff)",),
            data_categories=("Identity", "Contact details", "Customer-controlled content"),
            sources=(SourceSeed(S.EMPLOYER, "The customer and its users, who decide what is stored"),),
            recipients=(RecipientSeed(R.INTERNAL, "A limited number of Antura staff with administrator access"),),
            systems=("Antura Projects",),
            security_measures=(
                "Restricted, monitored access to customer environments",
                "Incident reporting and handling procedure",
                "Industry-standard protection against unauthorised access",
            ),
            retention_statement="Decided by the customer; Antura neither knows nor decides what customers keep in the "
            "product or how long.",
        ),
        ActivitySeed(
            "Antura Projects for customers",
            "Antura Projects provided as a product or service; user accounts and whatever the customer and its "
            "users enter, including files attached from mobile devices. Used only to support the customer's "
            "operations under the agreement.",
            record_type=PROCESSOR_RECORD,
            business_function="Product",
            controllers_served="Antura's customers: the employers or principals of Antura users.",
            purposes=(
                PurposeSeed(
                    "Provide Antura Projects to the customer and its users, under the agreement only",
                    legal_basis_detail="Processor: the customer, as controller, holds the basis.",
                ),
            ),
            subject_categories=("Product user (customer's staff)",),
            data_categories=("Identity", "Contact details", "Customer-controlled content"),
            sources=(
                SourceSeed(
                    S.EMPLOYER, "The customer creates users; only first name, last name and e-mail are mandatory"
                ),
                SourceSeed(S.SUBJECT, "Users enter data and attach photos, images and documents"),
            ),
            systems=("Antura Projects",),
            security_measures=(
                "Built-in authorisation system",
                "Login required",
                "Data protection by default",
                "Data protection by design",
                "Incident reporting and handling procedure",
            ),
            retention_statement="Set by the customer. Data that is only useful for a while is deleted automatically "
            "by default; the customer can adjust that period.",
        ),
    ),
)

# --- Antara -----------------------------------------------------------------------------------------------------

_ANTARA_CONSENT = "The policy makes consent, given by accepting it in the registration form, the condition for " \
    "using the data for all its purposes."
_ANTARA_COOKIE_CONSENT = "The policy treats browsing without blocking cookies in the browser, and accepting the " \
    "policy, as consent."
_ANTARA_PROVIDERS = ("Amazon Web Services", "Salesforce", "HubSpot", "Microsoft", "Atlassian", "Stripe")
_ANTARA_SYSTEMS = (
    "Amazon Web Services hosting", "Salesforce CRM", "HubSpot CRM", "Microsoft Office 365", "Atlassian support tickets",
    "Stripe payments",
)
_ANTARA_PROVIDER_RECIPIENTS = tuple(
    RecipientSeed(R.SERVICE_PROVIDER, f"{vendor} (service provider)", vendor=vendor) for vendor in _ANTARA_PROVIDERS
)
# Antara names no country, and what it states (the provider must follow the GDPR, also for its own agents) is not
# an Art. 46 safeguard: the mechanism stays blank so the gap shows.
_ANTARA_HOSTING_TRANSFER = TransferSeed(
    None,
    destination_description="Hosting providers in several countries, some outside the EU",
    mechanism=Transfer.Mechanism.PROVIDER_TERMS,
    notes="Antara says that where hosting is outside the EU it makes sure the provider follows the GDPR and answers "
    "for the data, also when it passes it to its own agents. The policy names no Art. 46 safeguard or Art. 49 "
    "derogation.",
)
_ANTARA_RETENTION = "While the contract lasts. Afterwards kept blocked only as long as legal obligations require, " \
    "used for nothing but those obligations and collecting unpaid invoices, then deleted."

ANTARA = OrganisationSeed(
    slug="antara",
    statements=(
        StatementSeed(NS.STORAGE, "Antara keeps data with hosting providers in many countries; where a provider is "
                      "outside the European Union, Antara requires it to comply with the GDPR. The servers that "
                      "hold personal information are kept in a controlled environment."),
        StatementSeed(NS.SECURITY, "Data sent over the internet to a website or SaaS product is encrypted with SSL "
                      "(HTTPS); payment details are encrypted before they are sent to Antara. Antara says no security "
                      "system is impenetrable and it cannot guarantee absolute security."),
        StatementSeed(NS.NOT_DONE, "Antara does not share a customer's personal data with third parties unless "
                      "the customer expressly authorises it."),
    ),
    name="Antara Information Technology SL",
    trading_name="antara",
    country="ES",
    role=Organisation.Role.CONTROLLER,
    # The policy gives the Commercial Register entry (volume, sheet, folio, entry), not a registration number.
    registry_details="Commercial Register of Valencia: volume (tomo) 6873, sheet (hoja) V-77031, folio 32, "
    "5th entry, dated 18 October 2005.",
    street_address="Calle Almirante Cadarso 26",
    postal_code="46005",
    city="Valencia",
    email="support@antara.ws",
    binding_language_note="Only the Spanish version of the policy is legally binding; translations are for "
    "convenience.",
    applicable_law="Spain's Organic Law 15/1999 of 13 December on the protection of personal data, which the policy "
    "names beside the GDPR and related rules.",
    rights_request_requirements="A request by any means that keeps a record of sending and receipt, with a copy of "
    "the national identity card (DNI) or an equivalent document; by post to the Valencia address or by e-mail to "
    "support. Consent can be withdrawn at any time, without retroactive effect.",
    contacts=(
        ContactSeed(
            PrivacyContact.Role.RIGHTS,
            name="Antara support",
            email="support@antara.ws",
            postal_address="Antara Information Technology SL, Calle Almirante Cadarso 26, 46005 Valencia, Spain",
        ),
        ContactSeed(PrivacyContact.Role.PRIVACY_TEAM, name="Antara support", email="support@antara.ws"),
    ),
    systems=(
        SystemSeed(
            "Amazon Web Services hosting",
            K.HOSTING,
            vendor="Amazon Web Services",
            description="Hosting and server virtualisation. Antara hosts with providers in many countries; the "
            "transfer outside the EU is recorded on the activities that use this system.",
        ),
        SystemSeed("Salesforce CRM", K.CRM, vendor="Salesforce"),
        SystemSeed("HubSpot CRM", K.CRM, vendor="HubSpot"),
        SystemSeed("Microsoft Office 365", K.OFFICE, vendor="Microsoft"),
        SystemSeed("Atlassian support tickets", K.TICKETING, vendor="Atlassian"),
        SystemSeed("Stripe payments", K.PAYMENT, vendor="Stripe"),
        SystemSeed(
            "Antara website and control panel",
            K.WEBSITE,
            description="Registration and order forms, newsletter settings in the control panel, cookies and "
            "server log files.",
        ),
        SystemSeed(
            "Whois and domain registries",
            K.REGISTRY,
            description="National and international domain-name databases, readable from anywhere in the world.",
        ),
        SystemSeed(
            "Red.es .es registry",
            K.REGISTRY,
            vendor="Red.es",
            hosting_countries=("ES",),
            description="Registrant data for .es domains, public at nic.es.",
        ),
    ),
    security_measures=(
        MeasureSeed(
            "SSL/HTTPS encryption in transit", TECH, "Data sent over the internet by websites and SaaS products."
        ),
        MeasureSeed("Payment details encrypted before transmission", TECH, "Sensitive data such as payment details."),
        MeasureSeed("Servers in a controlled environment", TECH),
        MeasureSeed(
            "Protection against loss, misuse, alteration, unauthorised access and theft",
            TECH,
            "All technical means available, in line with current security regulations.",
        ),
        MeasureSeed(
            "Service-provider contracts with equivalent confidentiality",
            ORG,
            "Providers take on the same privacy duties as staff, may not disclose the data, and return or "
            "destroy it when the contract ends.",
        ),
        MeasureSeed(
            "Blocking after the contract ends", ORG, "Retained data is blocked and used only for legal duties."
        ),
        MeasureSeed(
            "Only anonymous aggregates to investors and partners",
            ORG,
            "Statistical information only; nothing identifying.",
        ),
        MeasureSeed(
            "Identity check for rights requests",
            ORG,
            "Requests by a traceable means with a copy of the national ID card or an equivalent document.",
        ),
    ),
    activities=(
        ActivitySeed(
            "Customer accounts, services and billing",
            "Data customers give in the registration and order forms and later in the relationship, used to "
            "provide the services and handle payments.",
            business_function="Customer service",
            purposes=(
                PurposeSeed(
                    "Manage, administer and provide the services the customer requests",
                    legal_basis=A,
                    legal_basis_detail=_ANTARA_CONSENT,
                    provision_requirement=Purpose.ProvisionRequirement.PRE_CONTRACT,
                    consequence_of_not_providing="Without the mandatory fields, or with wrong data, Antara cannot "
                    "register the customer or provide the services; other fields are voluntary.",
                ),
                PurposeSeed(
                    "Carry out the contractual relationship", legal_basis=A, legal_basis_detail=_ANTARA_CONSENT
                ),
                PurposeSeed(
                    "Manage collections and payments for services, also after the relationship ends",
                    legal_basis=A,
                    legal_basis_detail=_ANTARA_CONSENT,
                ),
                PurposeSeed(
                    "Keep blocked data after the contract to meet legal obligations and collect unpaid invoices",
                    # The policy names consent as its only basis; it names no legal obligation as a basis.
                ),
                PurposeSeed(
                    "Provide data to competent authorities when the law requires",
                ),
                PurposeSeed("Hand customer data to the new owners if Antara is sold"),
            ),
            subject_categories=("Online customer (over 14)",),
            data_categories=("Identity", "Contact details", "Account credentials", "Payment data"),
            sources=(
                SourceSeed(S.SUBJECT, "Online registration and order forms and later requests"),
                SourceSeed(
                    S.THIRD_PARTY,
                    "Entered manually by third parties; the customer is e-mailed a link to check the data and "
                    "confirm consent",
                ),
            ),
            recipients=(
                RecipientSeed(R.INTERNAL, "Antara's own employees"),
                *_ANTARA_PROVIDER_RECIPIENTS,
                RecipientSeed(
                    R.GROUP, "Antara's subsidiaries or affiliates acting as service providers, where relevant"
                ),
                RecipientSeed(R.NOT_STATED, "Other third parties only with the customer's express authorisation"),
                RecipientSeed(R.BUYER, "New owners if Antara is sold"),
                RecipientSeed(R.AUTHORITY, "Competent authorities when legislation requires"),
            ),
            systems=(*_ANTARA_SYSTEMS, "Antara website and control panel"),
            security_measures=(
                "SSL/HTTPS encryption in transit",
                "Payment details encrypted before transmission",
                "Servers in a controlled environment",
                "Protection against loss, misuse, alteration, unauthorised access and theft",
                "Service-provider contracts with equivalent confidentiality",
                "Blocking after the contract ends",
                "Identity check for rights requests",
            ),
            transfers=(_ANTARA_HOSTING_TRANSFER,),
            retention_statement=_ANTARA_RETENTION,
        ),
        ActivitySeed(
            "Domain name registration",
            "When a customer registers a domain name, registrant data goes to Whois and national and international "
            "domain registries (for .es, the public entity Red.es), which anyone in the world can consult.",
            business_function="Customer service",
            purposes=(
                PurposeSeed(
                    "Register the domain names the customer orders with the domain registries",
                    legal_basis=A,
                    legal_basis_detail=_ANTARA_CONSENT,
                ),
            ),
            subject_categories=("Online customer (over 14)",),
            data_categories=("Domain registrant data", "Identity", "Contact details"),
            sources=(SourceSeed(S.SUBJECT, "Domain order"),),
            recipients=(
                RecipientSeed(
                    R.PUBLIC, "Whois and national and international domain registries, public worldwide",
                    data_categories=("Domain registrant data",),
                ),
                RecipientSeed(
                    R.PUBLIC, "Red.es for .es domains, public at nic.es", vendor="Red.es", country="ES",
                    data_categories=("Domain registrant data",),
                ),
            ),
            systems=("Whois and domain registries", "Red.es .es registry"),
            # Art. 49(1)(g) covers transfers from a register that Union or Member State law sets up to inform the
            # public; the policy says only that the registries are public worldwide, so no derogation is recorded.
            transfers=(
                TransferSeed(
                    None,
                    destination_description="Whois and international domain registries, open to consultation "
                    "from anywhere in the world",
                    mechanism=Transfer.Mechanism.NOT_STATED,
                    notes="The policy names no safeguard or derogation.",
                ),
            ),
            retention_statement="Published in the domain registries, which anyone can consult; the policy states no "
            "period. Antara's own copy follows the customer rule: " + _ANTARA_RETENTION[0].lower()
            + _ANTARA_RETENTION[1:],
        ),
        ActivitySeed(
            "Marketing, offers and newsletter",
            "Offers, updates, advertising and an occasional newsletter to customers, and studies of how well the "
            "website, marketing and sales work.",
            business_function="Marketing",
            purposes=(
                PurposeSeed(
                    "Get to know customers' tastes and fit the services to their preferences",
                    legal_basis=A, legal_basis_detail=_ANTARA_CONSENT,
                ),
                PurposeSeed(
                    "Offer new products, services, special offers and updates, and a newsletter",
                    direct_marketing=True,
                    legal_basis=A,
                    legal_basis_detail=_ANTARA_CONSENT + " Opt-out in the control panel's newsletter settings or by "
                    "e-mail to support.",
                ),
                PurposeSeed(
                    "Send Antara's own or third parties' advertising to customers who consent",
                    direct_marketing=True,
                    legal_basis=A, legal_basis_detail="Only to customers who consent.",
                ),
                PurposeSeed(
                    "Study how well the website, marketing, advertising and sales work",
                    legal_basis=A, legal_basis_detail=_ANTARA_CONSENT,
                ),
            ),
            subject_categories=("Online customer (over 14)",),
            data_categories=("Identity", "Contact details", "Preferences and interests", "Subscription choices"),
            sources=(
                SourceSeed(S.SUBJECT, "Registration data and the relationship"),
                SourceSeed(S.DERIVED, "Tastes and preferences learnt from the relationship"),
            ),
            recipients=(
                RecipientSeed(R.INTERNAL, "Antara's own employees"),
                RecipientSeed(R.SERVICE_PROVIDER, "Salesforce (service provider)", vendor="Salesforce"),
                RecipientSeed(R.SERVICE_PROVIDER, "HubSpot (service provider)", vendor="HubSpot"),
            ),
            systems=("Salesforce CRM", "HubSpot CRM", "Antara website and control panel"),
            security_measures=("Only anonymous aggregates to investors and partners",),
            retention_statement="No separate period; customer data follows the rule after the contract ends (kept "
            "blocked for legal duties, then deleted). Offers stop when the customer opts out.",
        ),
        ActivitySeed(
            "Service announcements",
            "Notices strictly about the services, e.g. a suspension for maintenance; not commercial. Customers "
            "cannot opt out of them but can deactivate their account.",
            business_function="Customer service",
            purposes=(PurposeSeed("Tell customers about service matters such as maintenance suspensions"),),
            subject_categories=("Online customer (over 14)",),
            data_categories=("Identity", "Contact details"),
            sources=(SourceSeed(S.SUBJECT, "Registration data"),),
            recipients=(RecipientSeed(R.INTERNAL, "Antara's own employees"),),
            systems=("Salesforce CRM", "HubSpot CRM", "Microsoft Office 365"),
            retention_statement=_ANTARA_RETENTION,
        ),
        ActivitySeed(
            "Website cookies",
            "Session and persistent cookies on Antara's website; a unique identifier per customer shows how they "
            "reach the site. The policy says its cookies hold nothing that identifies the customer.",
            business_function="Website",
            purposes=(
                PurposeSeed(
                    "Remember preferences during a visit and cut download times and server load",
                    legal_basis=A, legal_basis_detail=_ANTARA_COOKIE_CONSENT,
                ),
                PurposeSeed(
                    "Remember choices such as keeping the password between visits",
                    legal_basis=A, legal_basis_detail=_ANTARA_COOKIE_CONSENT,
                ),
                PurposeSeed(
                    "See how customers access the website through a unique identifier",
                    legal_basis=A, legal_basis_detail=_ANTARA_COOKIE_CONSENT,
                ),
            ),
            subject_categories=("Website visitor (over 14)", "Online customer (over 14)"),
            data_categories=("Online identifiers", "Preferences and interests"),
            sources=(SourceSeed(S.OBSERVED, "Cookies set by Antara's website"),),
            systems=("Antara website and control panel",),
            security_measures=("SSL/HTTPS encryption in transit",),
            retention_statement="Session cookies end when the browser closes or the session ends; persistent cookies "
            "stay on the device for a long time (no period given). Visitors can block or delete them in the browser.",
        ),
        ActivitySeed(
            "Web server log files",
            "Server logs of visits; the policy says this information relates to identifiable persons.",
            business_function="Website",
            purposes=(
                PurposeSeed(
                    "Analyse trends, run the website, follow visitors' movements in aggregate and gather broad "
                    "demographic information",
                ),
            ),
            subject_categories=("Website visitor (over 14)",),
            data_categories=("IP address", "Device and browser data", "Website usage"),
            sources=(SourceSeed(S.OBSERVED, "Web server log files"),),
            systems=("Antara website and control panel", "Amazon Web Services hosting"),
            security_measures=("Servers in a controlled environment", "SSL/HTTPS encryption in transit"),
            transfers=(_ANTARA_HOSTING_TRANSFER,),
            retention_statement="No period stated.",
        ),
    ),
)

# --- Avara ------------------------------------------------------------------------------------------------------

_AVARA_AS_STATED = "“Legitimate consent under point 6f” (legitimt samtycke enligt 6f), also called consent " \
    "under the Marketing Control Act"
# The Marketing Control Act sentence is about a law, not an interest: it is the organisation's applicable_law.
_AVARA_6F = ""
_AVARA_LI = "A past or new customer relationship as a legitimate reason to send information."
# The policy's periods differ by relationship: an active dialogue, a customer relationship, a subscription.
_AVARA_DIALOGUE = "Active dialogue (contact by phone, e-mail reply, download or form sign-up within 2 years): kept 2 " \
    "years from the last contact, then deleted; deleted at once if consent is withdrawn."
_AVARA_CUSTOMER = "Customers: for the whole active customer relationship, then kept 2 years from the last contact " \
    "and deleted; deleted at once if consent is withdrawn."
_AVARA_CRM_RECIPIENTS = (
    RecipientSeed(R.INTERNAL, "A limited number of staff in marketing, customer support and sales"),
    RecipientSeed(R.PROCESSOR, "7Sense (customer system)", vendor="7Sense"),
)

AVARA = OrganisationSeed(
    slug="avara",
    primary_language="sv",  # the policy is Swedish; its register texts are in Swedish too (demo.translations)
    statements=(
        StatementSeed(NS.NOT_DONE, "Avara säljer inte personuppgifter till tredje part.", language="sv"),
        StatementSeed(NS.STORAGE, "Uppgifterna finns i Avaras kundsystem, som 7Sense AS tillhandahåller enligt ett "
                      "personuppgiftsbiträdesavtal.", language="sv"),
        StatementSeed(NS.SECURITY, "Vanlig e-post är inte krypterad; skicka inte känsliga eller konfidentiella "
                      "uppgifter till Avara via e-post.", language="sv"),
    ),
    name="Avara AS",
    country="NO",
    role=Organisation.Role.CONTROLLER,
    registration_number="923 130 969",
    registry_details="Norwegian organisation number.",
    street_address="Raveien 438",
    postal_code="3239",
    city="Sandefjord",
    email="post@avara.no",
    phone="+47 70 31 00 86",
    applicable_law="Norway's Marketing Control Act, which the policy cites for consent to e-mail marketing.",
    rights_request_requirements="Write to the e-mail address in the contact details to withdraw consent or to ask "
    "for an overview, correction or deletion of the data; to receive the information, send an electronic copy of "
    "a signed request. Avara also offers help with moving the data.",
    contacts=(
        ContactSeed(
            PrivacyContact.Role.RIGHTS,
            name="Avara AS",
            email="post@avara.no",
            phone="+47 70 31 00 86",
            postal_address="Raveien 438, 3239 Sandefjord, Norway",
        ),
    ),
    systems=(
        SystemSeed(
            "Customer system (CRM)",
            K.CRM,
            vendor="7Sense",
            description="Avara's customer system; also holds relevant notes from customer calls and e-mails.",
        ),
        SystemSeed(
            "E-mail",
            K.MAILBOX,
            description="Staff mailboxes. Ordinary e-mail is unencrypted.",
            erasure_method="Each employee deletes messages no longer relevant.",
        ),
        SystemSeed("Avara website", K.WEBSITE, description="Forms, chat, downloads and cookies."),
    ),
    security_measures=(
        MeasureSeed(
            "Access limited to marketing, customer support and sales",
            ORG,
            "Only a limited number of people in those functions see the data.",
        ),
        MeasureSeed(
            "Data processing agreement with the CRM provider",
            ORG,
            "With 7Sense AS, which has agreements with its own sub-processors.",
        ),
        MeasureSeed(
            "Yearly mailbox clean-up",
            ORG,
            "Each employee reviews the mailbox at least yearly and deletes what is not needed.",
        ),
        MeasureSeed(
            "Mail accounts closed when staff leave",
            ORG,
            "Accounts are deleted on departure; relevant messages normally go to colleagues.",
        ),
        MeasureSeed("No sensitive personal data by e-mail", ORG),
        MeasureSeed("Signed request for rights requests", ORG, "An electronic copy of a signed document is required."),
    ),
    activities=(
        ActivitySeed(
            "Sales, marketing and customer care",
            "Data from forms, orders, product use, chat, customer-service calls and public sources, kept in the "
            "customer system for sales, marketing and customer care; shared with partners or event co-organisers "
            "only where a joint dialogue or event involves the person.",
            business_function="Sales and marketing",
            purposes=(
                PurposeSeed(
                    "Sales and marketing by direct e-mail or phone",
                    direct_marketing=True,
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                    legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_DIALOGUE,
                ),
                PurposeSeed(
                    "Customer care and information about Avara's products",
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                    legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_CUSTOMER,
                ),
                PurposeSeed(
                    "Answer enquiries", legal_basis=F, legal_basis_detail=_AVARA_6F,
                    legal_basis_as_stated=_AVARA_AS_STATED, legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_DIALOGUE,
                ),
                PurposeSeed(
                    "Send requested material and meet the obligation to deliver it",
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                    legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_DIALOGUE,
                ),
                PurposeSeed(
                    "Create and maintain a sales dialogue",
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                    legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_DIALOGUE,
                ),
                PurposeSeed(
                    "Send information that may interest the person",
                    direct_marketing=True,
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                    legitimate_interest=_AVARA_LI,
                    retention_statement=_AVARA_DIALOGUE,
                ),
            ),
            subject_categories=("Customer", "Prospect", "Enquirer", "Event participant"),
            data_categories=(
                "Identity", "Contact details", "Professional details", "Commercial interests",
                "Correspondence and enquiries",
            ),
            sources=(
                SourceSeed(S.SUBJECT, "Forms, orders, product use, chat and calls to customer service"),
                SourceSeed(S.SUBJECT, "Information the person gave Avara earlier"),
                SourceSeed(S.PUBLIC, "Public information to add industry and further contact details"),
            ),
            recipients=(
                *_AVARA_CRM_RECIPIENTS,
                RecipientSeed(
                    R.NOT_STATED,
                    "Partners in a sales or customer dialogue with the person: name, e-mail, phone, company",
                    data_categories=("Identity", "Contact details", "Professional details"),
                ),
                RecipientSeed(
                    R.NOT_STATED,
                    "External co-organiser of an event the person registered for: the same plus form answers",
                    data_categories=(
                        "Identity", "Contact details", "Professional details", "Correspondence and enquiries",
                    ),
                ),
            ),
            systems=("Customer system (CRM)", "Avara website"),
            security_measures=(
                "Access limited to marketing, customer support and sales",
                "Data processing agreement with the CRM provider",
                "Signed request for rights requests",
            ),
            retention_statement="Only as long as the purpose needs. Active dialogue (contact by phone, e-mail reply, "
            "download or form sign-up within 2 years): kept 2 years from the last contact, then deleted. Customers: "
            "for the whole active relationship, then the same 2-year rule. Deleted when consent is withdrawn. "
            "Data is not sold.",
        ),
        ActivitySeed(
            "Newsletter and e-mail subscriptions",
            "E-mail newsletters and content the person chose to receive; unsubscribe through the link in every "
            "e-mail or by contacting Avara.",
            business_function="Marketing",
            purposes=(
                PurposeSeed(
                    "Send the newsletters and content the person chose to receive",
                    direct_marketing=True,
                    legal_basis=A,
                    legal_basis_detail="Opt-in subscription; withdrawn through the unsubscribe link or by contacting "
                    "Avara.",
                ),
            ),
            subject_categories=("Newsletter subscriber",),
            data_categories=("Identity", "Contact details", "Subscription choices"),
            sources=(SourceSeed(S.SUBJECT, "Subscription forms"),),
            recipients=_AVARA_CRM_RECIPIENTS,
            systems=("Customer system (CRM)",),
            security_measures=("Data processing agreement with the CRM provider",),
            retention_statement="Until the person unsubscribes; then kept 2 years before deletion.",
        ),
        ActivitySeed(
            "Website, chat and cookies",
            "Technical information about visits and use of the website and chat, and cookies that save visitors "
            "from filling in fields again.",
            business_function="Marketing",
            purposes=(
                PurposeSeed(
                    "Statistics on user behaviour to improve the website and the user experience",
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                ),
                PurposeSeed(
                    "A more personal experience with products and content that interest the person",
                    legal_basis=F, legal_basis_detail=_AVARA_6F, legal_basis_as_stated=_AVARA_AS_STATED,
                ),
                PurposeSeed(
                    "Remember form entries so visitors need not fill them in each time (cookies)",
                    legal_basis=A,
                    legal_basis_detail="The policy says cookies need the user's informed consent.",
                ),
            ),
            subject_categories=("Website visitor", "Enquirer"),
            data_categories=("IP address", "Device and browser data", "Website usage", "Online identifiers"),
            sources=(SourceSeed(S.OBSERVED, "Visits to the website: referring URL, IP address, behaviour, browser"),),
            recipients=(_AVARA_CRM_RECIPIENTS[0],),
            systems=("Avara website",),
            retention_statement="Only as long as the purpose of collection needs, then deleted; no specific period "
            "is stated.",
        ),
        ActivitySeed(
            "E-mail and telephone correspondence",
            "Everyday e-mail and phone contact with internal and external people; relevant details from customer "
            "handling are recorded in the customer system.",
            business_function="All staff",
            purposes=(
                PurposeSeed("Everyday correspondence with internal and external contacts"),
                PurposeSeed("Record relevant details from customer calls and e-mails in the customer system"),
            ),
            subject_categories=("E-mail correspondent", "Customer"),
            data_categories=("Identity", "Contact details", "Correspondence and enquiries"),
            sources=(SourceSeed(S.SUBJECT, "E-mails and phone calls"),),
            recipients=(
                RecipientSeed(R.INTERNAL, "Colleagues who take over relevant e-mails when an employee leaves"),
                _AVARA_CRM_RECIPIENTS[1],
            ),
            systems=("E-mail", "Customer system (CRM)"),
            security_measures=(
                "Yearly mailbox clean-up",
                "Mail accounts closed when staff leave",
                "No sensitive personal data by e-mail",
            ),
            retention_statement="Staff delete messages that are no longer relevant and review their mailbox at least "
            "yearly; accounts are deleted when staff leave, with relevant messages handed to colleagues. Customer "
            "details in the customer system follow the 2-year rule.",
        ),
    ),
)

ORGANISATIONS: tuple[OrganisationSeed, ...] = (ANTURA, ANTARA, AVARA)
