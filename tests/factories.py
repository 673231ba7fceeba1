"""factory-boy factories for the register. Countries come from the data migration (SE, US, …)."""
from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from privacy_registry import models as m


def country(code: str) -> m.Country:
    return m.Country.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n} AB")
    slug = factory.Sequence(lambda n: f"org-{n}")
    registration_number = factory.Sequence(lambda n: f"556{n:07d}")
    country = factory.LazyFunction(lambda: country("SE"))
    role = m.Organisation.Role.CONTROLLER


class PrivacyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.PrivacyContact

    organisation = factory.SubFactory(OrganisationFactory)
    role = m.PrivacyContact.Role.DPO
    name = "Data Protection Officer"
    email = factory.Sequence(lambda n: f"dpo{n}@example.org")


class DataSubjectCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.DataSubjectCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Subject category {n}")


class PersonalDataCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.PersonalDataCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Data category {n}")


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    role = m.Vendor.Role.PROCESSOR
    country = factory.LazyFunction(lambda: country("IE"))
    dpa_signed_on = factory.Faker("date_between", start_date="-3y", end_date="today")


class SubProcessorFactory(VendorFactory):
    role = m.Vendor.Role.SUB_PROCESSOR
    engaged_by = factory.SubFactory(VendorFactory)


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.System
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    kind = m.System.Kind.CRM
    vendor = factory.SubFactory(VendorFactory)

    @factory.post_generation
    def hosting_countries(self, create, extracted, **kwargs):
        if create:
            self.hosting_countries.set(extracted or [country("SE")])


class NoticeStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.NoticeStatement

    organisation = factory.SubFactory(OrganisationFactory)
    topic = m.NoticeStatement.Topic.NOT_DONE
    text = factory.Sequence(lambda n: f"We do not do thing {n}.")


class SecurityMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SecurityMeasure

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    kind = m.SecurityMeasure.Kind.TECHNICAL


class ProcessingActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ProcessingActivity
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Processing activity {n}")
    status = m.ProcessingActivity.Status.ACTIVE
    description = "Keeps customer contacts for account management."

    @factory.post_generation
    def subject_categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.subject_categories.set(extracted)

    @factory.post_generation
    def data_categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.data_categories.set(extracted)


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Purpose

    activity = factory.SubFactory(ProcessingActivityFactory)
    description = factory.Sequence(lambda n: f"Purpose {n}")
    legal_basis = m.LegalBasis.CONTRACT


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.DataSource

    activity = factory.SubFactory(ProcessingActivityFactory)
    kind = m.DataSource.Kind.SUBJECT


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Recipient

    activity = factory.SubFactory(ProcessingActivityFactory)
    kind = m.Recipient.Kind.PROCESSOR
    vendor = factory.SubFactory(VendorFactory)
    country = factory.LazyFunction(lambda: country("IE"))


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Transfer

    activity = factory.SubFactory(ProcessingActivityFactory)
    destination = factory.LazyFunction(lambda: country("US"))
    vendor = factory.SubFactory(VendorFactory)
    mechanism = m.Transfer.Mechanism.SCC


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Incident

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")
    risk = m.Incident.Risk.RISK


class CountryFactory(factory.django.DjangoModelFactory):
    """A made-up third country. Its code starts with a digit so it never collides with a real ISO code."""

    class Meta:
        model = m.Country

    code = factory.Sequence(lambda n: f"{n // 36 % 10}{'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[n % 36]}")
    name = factory.Sequence(lambda n: f"Test country {n}")


# --- people (subjects) ---------------------------------------------------------------------------------
from subjects import models as sm  # noqa: E402  (appended section; the register's factories come first)


class DataSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.DataSubject
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    phone = factory.Sequence(lambda n: f"+46 70 {n:07d}")
    company = "Example AB"
    job_title = "Buyer"
    language = "sv"

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Engagement

    subject = factory.SubFactory(DataSubjectFactory)
    activity = factory.SubFactory(
        ProcessingActivityFactory, organisation=factory.SelfAttribute("..subject.organisation")
    )
    collected_on = factory.Faker("date_between", start_date="-3y", end_date="-1y")
    last_contact_on = factory.Faker("date_between", start_date="-1y", end_date="today")


class SystemRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.SystemRecord

    subject = factory.SubFactory(DataSubjectFactory)
    system = factory.SubFactory(SystemFactory, organisation=factory.SelfAttribute("..subject.organisation"))
    external_id = factory.Sequence(lambda n: f"hs-{n:08d}")


# --- retention ---------------------------------------------------------------------------------------------
from retention import models as rm  # noqa: E402  (appended section; the people factories come first)


class RetentionRuleFactory(factory.django.DjangoModelFactory):
    """Two years after the last contact, then erased."""

    class Meta:
        model = rm.RetentionRule

    activity = factory.SubFactory(ProcessingActivityFactory)
    period_amount = 2
    period_unit = rm.PeriodUnit.YEARS
    trigger = rm.RetentionRule.Trigger.LAST_CONTACT
    action = rm.RetentionRule.Action.ERASE
    statement = "Kept two years from the last contact, then deleted."


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rm.LegalHold

    subject = factory.SubFactory(DataSubjectFactory)
    reason = "Disputed invoice; kept until the claim is settled."


class RetentionEventFactory(factory.django.DjangoModelFactory):
    """"A person under the minimum age is discovered" (erase at once), occurred lately to someone in the activity."""

    class Meta:
        model = rm.RetentionEvent
        skip_postgeneration_save = True

    rule = factory.SubFactory(
        RetentionRuleFactory, trigger=rm.RetentionRule.Trigger.EVENT, period_amount=0, period_unit=rm.PeriodUnit.DAYS,
        trigger_event="a person under the minimum age is discovered", enabled=False,
    )
    subject = factory.SubFactory(DataSubjectFactory, organisation=factory.SelfAttribute("..rule.activity.organisation"))
    occurred_on = factory.Faker("date_between", start_date="-30d", end_date="today")
    due_on = factory.SelfAttribute("occurred_on")
    reason = "Ticket 4711"

    @factory.post_generation
    def engagement(self, create, extracted, **kwargs):
        if create:
            EngagementFactory(subject=self.subject, activity=self.rule.activity)


# --- rights ------------------------------------------------------------------------------------------------
from django.utils import timezone  # noqa: E402

from rights import models as rqm  # noqa: E402  (appended section)


class RightsRequestFactory(factory.django.DjangoModelFactory):
    """A web request for erasure, received now, awaiting verification."""

    class Meta:
        model = rqm.RightsRequest

    organisation = factory.SubFactory(OrganisationFactory)
    type = rqm.RequestType.ERASURE
    channel = rqm.Channel.WEB
    email = factory.Sequence(lambda n: f"requester{n}@example.com")
    language = "en"
    status = rqm.Status.AWAITING_VERIFICATION
    due_on = factory.LazyFunction(timezone.localdate)


# --- consent -----------------------------------------------------------------------------------------------------
from consent import models as cm  # noqa: E402  (appended section)
from consent.models import wording_digest  # noqa: E402


class ConsentPurposeFactory(factory.django.DjangoModelFactory):
    """A newsletter consent, single opt-in, with no age limit."""

    class Meta:
        model = cm.ConsentPurpose
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    key = factory.Sequence(lambda n: f"newsletter-{n}")
    name = factory.Sequence(lambda n: f"Newsletter {n}")
    wording = "I want the monthly newsletter by e-mail."
    wording_hash = factory.LazyAttribute(lambda o: wording_digest(o.wording))

    @factory.post_generation
    def register_purposes(self, create, extracted, **kwargs):
        if create and extracted:
            self.register_purposes.set(extracted)


class CookieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Cookie

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"_cookie{n}")
    category = cm.CookieCategory.STATISTICS
    purpose = "Counts visits."
    retention = "13 months"
    party = cm.Cookie.Party.FIRST


class CorporateGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CorporateGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")
    we_means = "the group's entities"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Office

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Office {n}")
    city = "Göteborg"
    country = factory.LazyFunction(lambda: country("SE"))


class StatedRightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StatedRight

    organisation = factory.SubFactory(OrganisationFactory)
    right = factory.Iterator(m.StatedRight.Right.values)  # one row per right and organisation
    offered = m.StatedRight.Offered.YES


class ConsentSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ConsentSettings

    organisation = factory.SubFactory(OrganisationFactory)
    allowed_origins = "https://www.example.com"


# --- what the remaining admins list (tests/test_every_admin_action_answers.py builds one of each) ---------------
from django.contrib.auth.models import Group  # noqa: E402  (appended section)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group of staff {n}")


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "otp_totp.TOTPDevice"

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True


class StaticDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "otp_static.StaticDevice"

    user = factory.SubFactory(UserFactory)
    name = "backup codes"


class AccessAttemptFactory(factory.django.DjangoModelFactory):
    """A failed sign-in as django-axes records it (an address of the documentation range)."""

    class Meta:
        model = "axes.AccessAttempt"

    username = factory.Sequence(lambda n: f"staff{n}")
    ip_address = "192.0.2.10"
    user_agent = "test"
    http_accept = "text/html"
    path_info = "/admin/login/"
    get_data = ""
    post_data = ""
    failures_since_start = 1


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "axes.AccessLog"

    username = factory.Sequence(lambda n: f"staff{n}")
    ip_address = "192.0.2.10"
    user_agent = "test"
    http_accept = "text/html"
    path_info = "/admin/login/"


class AccessFailureLogFactory(AccessLogFactory):
    class Meta:
        model = "axes.AccessFailureLog"


class SuppressionFactory(factory.django.DjangoModelFactory):
    """The keyed hash of an erased address (made up: only its form matters here)."""

    class Meta:
        model = sm.Suppression

    digest = factory.Sequence(lambda n: f"{n:064x}")
    kind = sm.Suppression.Kind.EMAIL


class ProcessorErasureFactory(factory.django.DjangoModelFactory):
    """A vendor follow-up of an erasure that failed and needs a person."""

    class Meta:
        model = rm.ProcessorErasure

    subject = factory.SubFactory(DataSubjectFactory)
    system = factory.SubFactory(SystemFactory, organisation=factory.SelfAttribute("..subject.organisation"))
    status = rm.ProcessorErasure.Status.FAILED


class SystemErasureChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rm.SystemErasureChannel

    system = factory.SubFactory(SystemFactory)


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """A person's consent, given by form to the purpose's current wording."""

    class Meta:
        model = cm.ConsentRecord

    purpose = factory.SubFactory(ConsentPurposeFactory)
    subject = factory.SubFactory(DataSubjectFactory, organisation=factory.SelfAttribute("..purpose.organisation"))
    state = cm.ConsentRecord.State.GIVEN
    method = cm.Method.FORM
    given_at = factory.LazyFunction(timezone.now)
    wording_hash = factory.SelfAttribute("purpose.wording_hash")
