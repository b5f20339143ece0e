"""The record every cleaning step leaves: what changed, where, and by which rule (as ftfy explains a fix)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One edit made by a cleaning step.

    ``offset`` is the position of ``before`` in the text as that step received it.
    ``rule`` names the rule that fired; ``note`` carries evidence (bytes, candidates) or a warning.

    >>> Change("pinyin", "pinyin_annotation", "(shí)", "", 3).as_dict()["after"]
    ''
    """

    step: str
    rule: str
    before: str
    after: str
    offset: int
    note: str = ""

    def as_dict(self) -> dict:
        """The change as a plain dict (what the DataFrame's ``changes`` column holds)."""
        return {"step": self.step, "rule": self.rule, "before": self.before, "after": self.after,
                "offset": self.offset, "note": self.note}  # fmt: skip
