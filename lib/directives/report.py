"""Run the notebook collection and export HTML reports: ``python -m directives.report``.

Every ``notebooks/NN_*.ipynb`` runs in order, each from a fresh kernel, with papermill. The
parameters cell of each notebook gets ``CORPUS`` and ``FIGURES`` (so the same notebooks run on
another corpus, writing figures elsewhere); executed notebooks become ``reports/NN_name.html``
with images embedded. A failing notebook stops the run with its name, the cell and the error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import paths


class NotebookFailed(RuntimeError):
    """A notebook raised: the message names the notebook, the cell and the error."""


def list_notebooks(folder: Path = paths.NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks, in order.

    >>> [p.name[:2] for p in list_notebooks()][:1]
    ['01']
    """
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(nb: Path, executed: Path, corpus: Path, figures: Path, extra: dict | None = None) -> Path:
    """Execute one notebook with papermill from a fresh kernel; raise :class:`NotebookFailed` on error."""
    import papermill as pm

    params = {"CORPUS": str(corpus), "FIGURES": str(figures), **(extra or {})}
    try:
        pm.execute_notebook(
            str(nb),
            str(executed),
            parameters=params,
            cwd=str(nb.parent),
            kernel_name="python3",
            progress_bar=sys.stderr.isatty() and not os.environ.get("CI"),
            log_output=False,
        )
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(f"{nb.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}") from None
    return executed


def export_html(executed: Path, html_path: Path) -> Path:
    """Write one executed notebook as self-contained HTML (images embedded, no input prompts numbering)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def run_collection(corpus: Path, out: Path | None = None, notebooks: list[Path] | None = None) -> list[Path]:
    """Run every notebook on ``corpus``; figures go to ``out/figures`` (default: the repo's figures/),
    HTML to ``out/reports`` (default: the repo's reports/). Returns the HTML paths."""
    figures = (out / "figures") if out else paths.FIGURES_DIR
    reports = (out / "reports") if out else paths.REPORTS_DIR
    figures.mkdir(parents=True, exist_ok=True)
    reports.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for nb in notebooks or list_notebooks():
            executed = run_notebook(nb, Path(tmp) / nb.name, corpus, figures)
            written.append(export_html(executed, reports / f"{nb.stem}.html"))
            print(f"ran {nb.name} -> {written[-1]}", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=str(paths.SEEDS_DIR), help="corpus folder or file")
    parser.add_argument("--out", default=None, help="output folder (default: the repo's figures/ and reports/)")
    args = parser.parse_args(argv)
    corpus = Path(args.seeds).resolve()
    try:
        run_collection(corpus, Path(args.out).resolve() if args.out else None)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
