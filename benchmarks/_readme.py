"""Where every benchmark writes its results: its own section of benchmarks/README.md, between the markers
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_results(name: str, table: str, heading: str = "") -> None:
    """Put ``table`` between the ``name`` markers of benchmarks/README.md; when the markers are missing, add
    them at the end under ``heading`` (a Markdown section: title and what the table measures)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = README.read_text(encoding="utf-8")
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + f"\n\n{heading.strip()}\n\n{block}\n"
    README.write_text(text, encoding="utf-8")
