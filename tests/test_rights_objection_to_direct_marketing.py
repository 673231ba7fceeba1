"""An objection to direct marketing (Art. 21(2)-(3)) names, by itself, the person's activities whose purposes are
direct marketing, and carrying it out stops them: no balancing, no refusal ground but an identity that could not be
confirmed, staff cannot take them out. Any other objection (Art. 21(1)) waits for staff to name what to stop."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rights import services
from rights.models import Outcome, RefusalGround, RequestType, RightsRequest, Status
from tests.factories import DataSubjectFactory, EngagementFactory, PurposeFactory, RightsRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


@pytest.fixture
def person():
    return DataSubjectFactory(email="karin@example.com")


def _engaged(person, *, direct_marketing: bool, **kwargs):
    engagement = EngagementFactory(subject=person, unsubscribed_on=None, **kwargs)
    PurposeFactory(activity=engagement.activity, direct_marketing=direct_marketing)
    return engagement


def _logged(person, *, direct_marketing: bool, capture) -> RightsRequest:
    """An objection logged by staff with the identity checked: verified and matched to ``person`` at once."""
    with capture(execute=True):
        return services.request_log(
            organisation=person.organisation, type=RequestType.OBJECTION, channel="email", actor=UserFactory(),
            email=person.email, verified=True, direct_marketing=direct_marketing,
        )


def test_verifying_names_the_persons_direct_marketing_activities_only(person, django_capture_on_commit_callbacks):
    newsletter = _engaged(person, direct_marketing=True)
    customer = _engaged(person, direct_marketing=False)
    other_persons = _engaged(DataSubjectFactory(organisation=person.organisation), direct_marketing=True)

    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)

    assert set(request.objected_activities.all()) == {newsletter.activity}
    assert customer.activity not in request.objected_activities.all()
    assert other_persons.activity not in request.objected_activities.all()
    assert request.events.filter(kind="matched", note=f"direct marketing: activity #{newsletter.activity_id}").exists()


def test_with_automatic_execution_direct_marketing_stops_on_verification(person, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.RIGHTS_AUTO_EXECUTE = True
    newsletter = _engaged(person, direct_marketing=True)
    customer = _engaged(person, direct_marketing=False)

    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)

    request.refresh_from_db()
    newsletter.refresh_from_db()
    customer.refresh_from_db()
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    assert newsletter.unsubscribed_on == timezone.localdate()
    assert customer.unsubscribed_on is None
    assert "Direct marketing to you has stopped" in request.response


def test_another_objection_waits_for_staff_even_with_automatic_execution(person, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.RIGHTS_AUTO_EXECUTE = True
    newsletter = _engaged(person, direct_marketing=True)

    request = _logged(person, direct_marketing=False, capture=django_capture_on_commit_callbacks)

    request.refresh_from_db()
    newsletter.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL
    assert not request.objected_activities.exists() and newsletter.unsubscribed_on is None


def test_staff_cannot_take_direct_marketing_out_of_the_objection(person, django_capture_on_commit_callbacks):
    newsletter = _engaged(person, direct_marketing=True)
    customer = _engaged(person, direct_marketing=False)
    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)

    services.request_objection_scope(request=request, activities=[customer.activity], actor=UserFactory())

    assert set(request.objected_activities.all()) == {newsletter.activity, customer.activity}


def test_carrying_it_out_includes_direct_marketing_found_since_verification(person,
                                                                           django_capture_on_commit_callbacks):
    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)
    assert not request.objected_activities.exists()  # nothing of direct marketing yet: staff look first
    assert request.status == Status.AWAITING_APPROVAL
    later = _engaged(person, direct_marketing=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=UserFactory())

    later.refresh_from_db()
    assert later.unsubscribed_on == timezone.localdate()
    assert RightsRequest.objects.get(pk=request.pk).outcome == Outcome.DONE


def test_a_person_in_no_direct_marketing_is_told_so(person, django_capture_on_commit_callbacks):
    customer = _engaged(person, direct_marketing=False)
    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=UserFactory())

    request.refresh_from_db()
    customer.refresh_from_db()
    assert request.status == Status.COMPLETED and request.outcome == Outcome.NOTHING_HELD
    assert request.response == "We do not use your personal data for direct marketing."
    assert customer.unsubscribed_on is None


def test_an_earlier_unsubscribe_date_is_kept(person, django_capture_on_commit_callbacks):
    newsletter = _engaged(person, direct_marketing=True)
    newsletter.unsubscribed_on = date(2024, 5, 1)
    newsletter.save()
    request = _logged(person, direct_marketing=True, capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=UserFactory())

    newsletter.refresh_from_db()
    assert newsletter.unsubscribed_on == date(2024, 5, 1)  # retention keeps counting from when it stopped


@pytest.mark.parametrize("ground", [RefusalGround.UNFOUNDED, RefusalGround.EXCESSIVE, RefusalGround.LEGAL_CLAIMS])
def test_it_cannot_be_refused_on_a_ground_other_than_identity(person, ground):
    request = RightsRequestFactory(organisation=person.organisation, subject=person, type=RequestType.OBJECTION,
                                   direct_marketing=True, status=Status.AWAITING_APPROVAL)

    with pytest.raises(ValidationError, match="cannot be refused"):
        services.request_refuse(request=request, ground=ground, actor=UserFactory())

    assert RightsRequest.objects.get(pk=request.pk).status == Status.AWAITING_APPROVAL


def test_it_can_be_refused_when_the_identity_could_not_be_confirmed(person):
    request = RightsRequestFactory(organisation=person.organisation, type=RequestType.OBJECTION,
                                   direct_marketing=True, status=Status.AWAITING_VERIFICATION)

    services.request_refuse(request=request, ground=RefusalGround.IDENTITY, actor=UserFactory())

    assert RightsRequest.objects.get(pk=request.pk).status == Status.REFUSED


def test_another_objection_can_still_be_refused(person):
    request = RightsRequestFactory(organisation=person.organisation, subject=person, type=RequestType.OBJECTION,
                                   direct_marketing=False, status=Status.AWAITING_APPROVAL)

    services.request_refuse(request=request, ground=RefusalGround.UNFOUNDED, actor=UserFactory())

    assert RightsRequest.objects.get(pk=request.pk).status == Status.REFUSED
