"""A retention rule as the public reads it (``RetentionRule.public_words``): "up to" for a ceiling, plain words for
what happens then, nothing about an action the statement does not give, the statement alone when there is no
period; in the reader's language. And a rule whose action is not stated is never enforced: disabled, unswept,
reported by RET002."""
from __future__ import annotations

import pytest
from django.utils import translation

from privacy_registry.checks import run_checks
from retention import selectors
from retention.models import PeriodUnit, RetentionRule

from .factories import ProcessingActivityFactory, RetentionRuleFactory

pytestmark = pytest.mark.django_db

A, T = RetentionRule.Action, RetentionRule.Trigger


def _words(language: str = "en", **fields) -> str:
    rule = RetentionRuleFactory.build(**fields)
    with translation.override(language):
        return rule.public_words()


def test_a_ceiling_says_up_to_and_the_erasure():
    words = _words(period_amount=8, trigger=T.RELATIONSHIP_ENDED, period_is_ceiling=True)
    assert words == "up to 8 years after the relationship ends, then erased"


def test_a_fixed_term_says_no_up_to():
    words = _words(period_amount=2, trigger=T.LAST_CONTACT)
    assert words == "2 years after you were last in contact with us, then erased"


def test_erase_or_anonymise_is_said_without_the_admin_label():
    words = _words(period_amount=3, trigger=T.COLLECTED, action=A.ERASE_OR_ANONYMISE)
    assert words == "3 years after the data is collected, then erased or anonymised"
    assert str(A.ERASE_OR_ANONYMISE.label) not in words and "sweep" not in words


def test_an_action_not_stated_says_nothing_of_what_happens_then():
    words = _words(period_amount=10, trigger=T.NOT_STATED, action=A.NOT_STATED, period_is_ceiling=True,
                   enabled=False)
    assert words == "up to 10 years"


def test_a_rule_without_a_period_is_its_statement_only():
    words = _words(period_amount=None, trigger=T.NOT_STATED, statement="Only as long as the purpose needs.")
    assert words == "Only as long as the purpose needs."
    assert "erased" not in words


def test_restrict_then_erase_says_blocked_then_erased_later():
    words = _words(period_amount=0, period_unit=PeriodUnit.DAYS, trigger=T.RELATIONSHIP_ENDED,
                   action=A.RESTRICT_THEN_ERASE, second_period_amount=None)
    assert words == "when the relationship ends, then blocked, and erased later (when is not stated)"
    assert str(A.RESTRICT_THEN_ERASE.label) not in words


def test_the_words_follow_the_readers_language():
    english = _words(period_amount=8, trigger=T.RELATIONSHIP_ENDED, period_is_ceiling=True)
    with translation.override("sv"):
        expected = "%s, %s" % (  # noqa: UP031 — the same two gettext pieces the method joins
            translation.gettext("%(period)s after %(start)s") % {
                "period": translation.gettext("up to %(period)s") % {"period": f"8 {translation.gettext('years')}"},
                "start": translation.gettext("the relationship ends")},
            translation.gettext("then erased"))
    assert _words("sv", period_amount=8, trigger=T.RELATIONSHIP_ENDED, period_is_ceiling=True) == expected
    assert english == "up to 8 years after the relationship ends, then erased"


def test_a_rule_whose_action_is_not_stated_is_disabled_unswept_and_reported():
    rule = RetentionRuleFactory.build(activity=ProcessingActivityFactory(), action=A.NOT_STATED,
                                      trigger=T.LAST_CONTACT, period_amount=2)
    rule.full_clean()  # as the admin and the services do: a rule that cannot be enforced is saved disabled
    rule.save()

    assert rule.enabled is False
    assert not rule.is_swept and rule.phases() == []
    assert rule not in selectors.rules_swept()
    assert rule in selectors.rules_unenforceable()
    findings = [f for f in run_checks() if f.check_id == "RET002"]
    assert any("what happens to the data" in f.message for f in findings)


def test_the_database_refuses_an_enabled_rule_without_an_action():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRuleFactory(action=A.NOT_STATED, enabled=True)
