"""Journal lines are built by hand for speed; they must stay exactly the JSON ``json.dumps`` would write, since
``erasure_replay`` (and anyone auditing the file with ordinary tools) reads them as JSON."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from retention import engine, journal
from subjects.keyed_hash import suppression_digests

WHEN = datetime(2025, 6, 1, 2, 30, 5, 123456, tzinfo=UTC)


def _entry(record_id: int, subject_id: int, digests: dict[str, str], action: str = "erase") -> engine.JournalEntry:
    kinds = tuple(sorted(digests.items()))
    return engine.JournalEntry(record_id, subject_id, action, WHEN, tuple(d for d, _k in kinds), kinds)


def test_each_line_is_exactly_what_json_dumps_writes_for_the_same_entry():
    two = suppression_digests(email="ada@example.org", phone="+46 70 123 45 67")
    one = suppression_digests(email="bo@example.org")
    entries = [
        _entry(1, 10, two),
        _entry(2, 11, one, action="anonymise"),
        _entry(3, 12, {}),
        _entry(4, 13, {"not hex \"quoted\"": "email"}),  # not an engine digest: falls back to json.dumps
    ]
    kinds = {d: kind for e in entries for d, kind in e.kinds}

    lines = journal.entry_lines(entries, kinds)

    assert lines == [json.dumps(journal.entry_dict(e, kinds), sort_keys=True) for e in entries]
    first = json.loads(lines[0])
    assert first == {"v": journal.FORMAT_VERSION, "record": 1, "subject": 10, "action": "erase",
                     "erased_at": WHEN.isoformat(), "digests": {d: k for d, k in sorted(two.items())}}
    assert sorted(first["digests"].values()) == ["email", "phone"]


def test_a_digest_of_unknown_kind_is_written_with_an_empty_kind():
    digests = suppression_digests(email="cy@example.org")
    [line] = journal.entry_lines([_entry(5, 14, digests)], kinds={})
    assert json.loads(line)["digests"] == dict.fromkeys(digests, "")
