"""The CSV import reads quoted fields as RFC 4180 (and the csv module's defaults) say: a doubled quote inside a
quoted field is one quote, and a delimiter inside quotes is text. Only the delimiter is detected, from the header."""
from __future__ import annotations

import pytest

from subjects import imports, services
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db

QUOTED = '"Smith, ""Jr."""'
EXACT = 'Smith, "Jr."'


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_a_quoted_field_with_embedded_quotes_and_delimiters_imports_exactly(delimiter):
    organisation = f.OrganisationFactory()
    content = (
        delimiter.join(["email", "first_name", "last_name", "company"]) + "\r\n"
        + delimiter.join(["anna@example.com", "Anna", QUOTED, f'"Acme{delimiter} ""The"" Company"']) + "\r\n"
    )

    report = services.subjects_import(organisation=organisation, content=content, commit=True)

    assert report.committed, (report.file_errors, [r.errors for r in report.rows])
    subject = DataSubject.objects.get(organisation=organisation)
    assert (subject.first_name, subject.last_name) == ("Anna", EXACT)
    assert subject.company == f'Acme{delimiter} "The" Company'


def test_a_quoted_header_does_not_change_how_rows_are_read():
    rows = imports.parse('"email","last_name"\nbo@example.com,"O""Neil, Bo"\n')

    assert [(r.email, r.data["last_name"]) for r in rows] == [("bo@example.com", 'O"Neil, Bo')]


def test_the_delimiter_is_the_one_the_header_uses_outside_quotes():
    assert imports._delimiter("email;first_name;last_name") == ";"
    assert imports._delimiter("email\tfirst_name") == "\t"
    assert imports._delimiter('"e,mail";first_name;last_name') == ";"
    assert imports._delimiter("email") == ","


def test_a_quoted_field_may_span_lines():
    rows = imports.parse('email,street_address\nanna@example.com,"Storgatan 1\nLgh 1102"\n')

    assert rows[0].data["street_address"] == "Storgatan 1\nLgh 1102"
