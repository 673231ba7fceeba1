"""What each seed policy states, and what it does not, as facts the generated notice is checked against.

Each fact rests on the seed's line (``seed_line``; a range for a "not stated" fact: the lines read). ``kind``:
- ``text``: ``expect`` (a name, number, address, URL) appears as it is, in every language;
- ``label``: ``expect`` (a lazy label or msgid) appears, translated into the notice's language;
- ``no_label``: ``expect`` (a lazy label or msgid) does not appear, translated into the notice's language;
- ``no_text``: ``expect`` does not appear;
- ``no_label_on_line``: ``expect = (anchor, label)``: no line naming ``anchor`` carries ``label``;
- ``rule``: ``expect = (activity, statement prefix)``: that retention rule's ``public_words()`` appears;
- ``statement``: ``expect = topic``: the organisation's ``NoticeStatement`` of that topic appears (its text in the
  reader's language, or the language it is written in).
``pending``: true for facts the notice says wrongly until the notice rewrite is merged (strict xfail there).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fact:
    seed_line: int | tuple[int, int]
    kind: str
    expect: Any
    pending: bool = False
