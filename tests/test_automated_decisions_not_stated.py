"""Automated decision-making and profiling are three-valued: not stated (None), stated no (False), yes (True). A
record that does not say is never exported as "no", and the admin offers "Not stated / Yes / No"."""
from __future__ import annotations

import pytest

from privacy_registry.admin import ProcessingActivityForm
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import EN, FR, Row, automated_decisions, cnil_automated

from .factories import ProcessingActivityFactory

pytestmark = pytest.mark.django_db


def _row(activity):
    record = build_record(organisation=activity.organisation)
    (item,) = record.activities  # the factory's organisation keeps this one activity
    return Row(record=record, activity=item)


def test_a_new_activity_states_neither():
    activity = ProcessingActivityFactory()
    assert (activity.automated_decision_making, activity.profiling) == (None, None)


@pytest.mark.parametrize(("adm", "profiling", "expected"), [
    (None, None, EN.not_stated), (False, None, EN.not_stated), (False, False, EN.no),
])
def test_the_export_says_no_only_when_both_are_stated_no(adm, profiling, expected):
    activity = ProcessingActivityFactory(automated_decision_making=adm, profiling=profiling)
    row = _row(activity)
    assert automated_decisions(row) == str(expected)
    assert cnil_automated(row) == (FR.no if expected == EN.no else FR.not_stated)


def test_the_export_says_yes_for_profiling():
    activity = ProcessingActivityFactory(profiling=True)
    assert automated_decisions(_row(activity)).startswith(str(EN.yes))


def test_the_admin_offers_not_stated_yes_and_no():
    widget = ProcessingActivityForm().fields["profiling"].widget
    assert [str(label) for _value, label in widget.choices] == ["Not stated", "Yes", "No"]
    html = widget.render("profiling", None)
    assert 'value="unknown" selected' in html
