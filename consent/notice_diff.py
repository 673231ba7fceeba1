"""What changed between two versions of the notice, told section by section.

The stored text of a version is ``consent.notice.render_text``'s: "# " the title, "## " a section, "### " an
activity within it, "- " a list item. A line diff alone shows "- Recipients: none stated" without saying of which
activity; here every changed line is told under the section (and activity) it belongs to in its own version: a
removed line under its place in the old text, an added line under its place in the new one. One line of unchanged
context is kept around each change, and a gap in between is marked as a "hunk".
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

HEADINGS = (("### ", 3), ("## ", 2), ("# ", 1))


@dataclass
class Section:
    """The changes within one section: ``h2`` its heading, ``h3`` the sub-heading (activity) or ""."""

    h2: str
    h3: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): added, removed, same, hunk

    @property
    def changes(self) -> int:
        return sum(1 for kind, _text in self.lines if kind in {"added", "removed"})


def _heading(line: str) -> tuple[int, str] | None:
    for mark, level in HEADINGS:
        if line.startswith(mark):
            return level, line[len(mark):]
    return None


def _places(lines: list[str]) -> list[tuple[str, str]]:
    """(h2, h3) for each line: the section it sits in (a heading sits in the section it opens)."""
    h2 = h3 = ""
    places = []
    for line in lines:
        heading = _heading(line)
        if heading is not None:
            level, text = heading
            if level <= 2:
                h2, h3 = (text if level == 2 else ""), ""
            else:
                h3 = text
        places.append((h2, h3))
    return places


def sectioned_diff(old: str, new: str, *, context: int = 1) -> list[Section]:
    """The changes from ``old`` to ``new``, grouped under their sections in the order they occur."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    old_places, new_places = _places(old_lines), _places(new_lines)
    sections: list[Section] = []
    gap_before = False

    def put(place: tuple[str, str], kind: str, text: str) -> None:
        nonlocal gap_before
        if not sections or (sections[-1].h2, sections[-1].h3) != place:
            sections.append(Section(*place))
        elif gap_before:
            sections[-1].lines.append(("hunk", "…"))
        gap_before = False
        sections[-1].lines.append((kind, text))

    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        gap_before = bool(sections)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for j in range(j1, j2):
                    if _heading(new_lines[j]) is None and new_lines[j].strip():
                        put(new_places[j], "same", new_lines[j])
                continue
            for i in range(i1, i2):
                if old_lines[i].strip():
                    put(old_places[i], "removed", old_lines[i])
            for j in range(j1, j2):
                if new_lines[j].strip():
                    put(new_places[j], "added", new_lines[j])
    # A section with only context around a change told elsewhere says nothing: leave it out.
    return [section for section in sections if section.changes]
