"""The same person can be in several activities with different clocks. When one activity's period runs out, a
person another activity still needs is not erased: only their engagement in that activity goes (with its
history). When the last activity's period runs out, the person is erased."""
from __future__ import annotations

from datetime import date

import pytest

from retention import services
from retention.models import ErasureRecord, RetentionRule
from subjects.models import DataSubject, Engagement
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_newsletter_lapses_but_the_customer_stays_until_their_own_period_ends():
    organisation = f.OrganisationFactory()
    newsletter = f.ProcessingActivityFactory(organisation=organisation)
    customers = f.ProcessingActivityFactory(organisation=organisation)
    newsletter_rule = f.RetentionRuleFactory(activity=newsletter, trigger=RetentionRule.Trigger.UNSUBSCRIBED)
    customer_rule = f.RetentionRuleFactory(activity=customers, trigger=RetentionRule.Trigger.LAST_CONTACT)
    subject = f.DataSubjectFactory(organisation=organisation)
    lapsed = f.EngagementFactory(subject=subject, activity=newsletter, unsubscribed_on=date(2020, 1, 1))
    f.EngagementFactory(subject=subject, activity=customers, last_contact_on=date(2024, 1, 1))
    email = subject.email

    run = services.sweep_run(as_of=date(2024, 6, 1))

    assert run.counts[str(newsletter_rule.pk)]["detached"] == 1
    stored = DataSubject.objects.get(pk=subject.pk)
    assert stored.state == DataSubject.State.ACTIVE and stored.email == email
    assert not Engagement.objects.filter(pk=lapsed.pk).exists()
    assert not Engagement.history.filter(id=lapsed.pk).exists()
    assert not ErasureRecord.objects.exists()

    later = services.sweep_run(as_of=date(2026, 1, 2))

    assert later.counts[str(customer_rule.pk)]["erased"] == 1
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ERASED
