"""Run the notebook collection and export HTML reports: ``python -m directives.report``.

Every ``notebooks/NN_*.ipynb`` runs from a fresh kernel, with papermill: the first alone (it builds the corpus's
cache), then the others two at a time on two cores or more (``--jobs``, ``DIRECTIVES_REPORT_JOBS``). The
parameters cell of each notebook gets ``CORPUS``, ``FIGURES`` and ``TABLES`` (so the same notebooks run
on another corpus, writing figures and tables elsewhere); executed notebooks become
``reports/NN_name.html`` with images embedded, each under ``MAX_REPORT_BYTES`` at any corpus size. A failing
notebook stops the run with its name, the cell and the error.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
from datetime import UTC
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


def run_notebook(
    nb: Path, executed: Path, corpus: Path, figures: Path, extra: dict | None = None, tables: Path | None = None
) -> Path:
    """Execute one notebook with papermill from a fresh kernel; raise :class:`NotebookFailed` on error.
    Figures go to ``figures``, tables to ``tables`` (default: ``tables`` beside ``figures``).

    Used by :func:`run_collection`; for one notebook on the seeds (takes some seconds)::

        run_notebook(paths.NOTEBOOKS_DIR / "01_corpus.ipynb", Path("out.ipynb"), paths.SEEDS_DIR, Path("figs"))
    """
    import papermill as pm

    params = {"CORPUS": str(corpus), "FIGURES": str(figures), **(extra or {})}
    if "TABLES" in pm.inspect_notebook(str(nb)):  # a notebook that shows tables writes them there
        params["TABLES"] = str(tables if tables is not None else Path(figures).parent / "tables")
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


_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)
_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>.*?</script>", re.I | re.S)
CJK_FONT_CSS = (
    "<style>body, .jp-RenderedHTMLCommon, .jp-OutputArea-output, table, pre {font-family: "
    '"Directives CJK", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;}</style>'
)
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_WIDE_CHAR = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c\u201d\u2018\u2019\u2026\u3013]")


def cjk_font_face(page: str) -> str:
    """A ``@font-face`` rule embedding Noto Sans CJK SC, subset to the CJK characters of ``page`` (WOFF,
    base64), so Chinese reads on a machine without any CJK font and nothing is fetched.

    >>> rule = cjk_font_face("<p>压实责任</p>"); rule.startswith("<style>@font-face") and "font/woff;base64" in rule
    True
    >>> cjk_font_face("<p>no Chinese</p>")
    ''
    >>> cjk_font_face('<script>x = "\\u538b\\u5b9e"</script>') != ""  # Chinese in an interactive table's data
    True
    """
    import base64
    import io

    from fontTools import subset

    from .plotting import font_path

    escaped = "".join(chr(int(h, 16)) for h in set(_JSON_ESCAPE.findall(page)))  # text inside the tables' data
    chars = "".join(sorted(set(_WIDE_CHAR.findall(html.unescape(page) + html.unescape(escaped)))))
    if not chars:
        return ""
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    src = f'url(data:font/woff;base64,{data}) format("woff")'
    return f'<style>@font-face {{font-family: "Directives CJK"; src: {src};}}</style>'


def make_offline(html_text: str) -> str:
    """Remove every script that would load from another host (MathJax, require.js, mermaid from a CDN),
    and add a CJK font stack, so a report reads offline and shows Chinese properly.

    >>> make_offline('<head></head><script src="https://cdn.example/x.js"></script>').count("script")
    0
    """
    html_text = _EXTERNAL_SCRIPT.sub("", html_text)
    html_text = _SCRIPT_BLOCK.sub(lambda m: "" if re.search(r"https?://", m.group(0)) else m.group(0), html_text)
    return html_text.replace("</head>", cjk_font_face(html_text) + CJK_FONT_CSS + "</head>", 1)


MAX_REPORT_BYTES = 3_000_000  # every report stays under 3 MB, whatever the corpus's size
_PNG_DATA = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def fit_report(page: str, max_bytes: int = MAX_REPORT_BYTES) -> str:
    """``page`` itself when it fits in ``max_bytes``, else with its embedded PNG images re-encoded
    (fewer colours, then fewer pixels: :func:`directives.plotting.shrink_png`) until it does, each image
    given a share of the room left by the text in proportion to its size. Tables are kept short by
    :func:`directives.plotting.save_table`, which shows the head of a long table and writes it whole as CSV.

    >>> import base64, io; from PIL import Image; import numpy as np
    >>> noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8))
    >>> buf = io.BytesIO(); noise.save(buf, format="PNG")
    >>> page = "<p>图</p><img src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode() + "'>"
    >>> len(page) > 200_000, len(fit_report(page, 100_000).encode()) <= 100_000
    (True, True)
    """
    import base64

    from .plotting import shrink_png

    size = len(page.encode("utf-8"))
    images = list(_PNG_DATA.finditer(page))
    if size <= max_bytes or not images:
        return page
    held = sum(len(m.group(1)) for m in images)
    room = max_bytes * 0.98 - (size - held)  # base64 characters the images may take together
    if room <= 0:
        raise ValueError(f"the page's text alone takes {size - held:,} bytes, over {max_bytes:,}")
    parts, last = [], 0
    for m in images:
        target = int(room * len(m.group(1)) / held * 3 / 4)  # bytes of PNG for this image's share
        data = shrink_png(base64.b64decode(m.group(1)), max(target, 1_000))
        parts += [page[last : m.start(1)], base64.b64encode(data).decode("ascii")]
        last = m.end(1)
    return "".join([*parts, page[last:]])


def export_html(executed: Path, html_path: Path) -> Path:
    """Write one executed notebook as self-contained, offline HTML (images embedded), under
    ``MAX_REPORT_BYTES`` (:func:`fit_report`).

    >>> import nbformat, tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 压实责任")])
    >>> nbformat.write(nb, tmp / "x.ipynb"); page = export_html(tmp / "x.ipynb", tmp / "x.html").read_text()
    >>> "压实责任" in page, "cdn" in page.lower()
    (True, False)
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(fit_report(make_offline(body)), encoding="utf-8")
    return html_path


# --------------------------------------------------------------------------- index
_FIGURE_NAME = re.compile(r"save_figure\(.*?[\"'](\d\d_[A-Za-z0-9_]+)[\"']", re.S)
_HEADING = re.compile(r"<h([1-3])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "jieba",
    "OpenCC",
    "wordcloud",
    "papermill",
    "nbconvert",
)


def notebook_outline(nb_path: Path) -> tuple[str, str, dict[str, str]]:
    """Title, first paragraph, and for each figure the heading of the section that saves it.

    >>> title, purpose, figures = notebook_outline(paths.NOTEBOOKS_DIR / "01_corpus.ipynb"); bool(title and purpose)
    True
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    first = nb.cells[0].source.strip().split("\n\n")
    title = first[0].lstrip("# ").strip()
    purpose = first[1].replace("\n", " ").strip() if len(first) > 1 else ""
    section, figures = title, {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"#{1,3} ", line):
                    section = line.lstrip("# ").strip()
        else:
            for name in _FIGURE_NAME.findall(cell.source):
                figures[name] = section
    return title, purpose, figures


def _heading_ids(report_html: str) -> dict[str, str]:
    ids = {}
    for _level, hid, inner in _HEADING.findall(report_html):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        ids.setdefault(text, hid)
    return ids


def _thumbnail(png: Path, width: int = 360) -> str:
    import base64
    import io

    from PIL import Image

    img = Image.open(png).convert("RGB")
    img.thumbnail((width, width))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def write_index(
    corpus: Path,
    notebooks: list[Path],
    reports: Path,
    figures: Path,
    kinds: list[str] | None = ("article",),
    summary: dict | None = None,
) -> Path:
    """``reports/index.html``: the notebooks in order with one line each, their figures as thumbnails
    linking to the sections that make them, the corpus summary, key package versions and the run date.
    Everything from the corpus is escaped: article text is data, never markup. The summary counts the
    ``kinds`` of item the notebooks analysed (articles unless their ``KINDS`` parameter said otherwise);
    ``summary``, :func:`_corpus_summary`'s, when it was made already.

    Called by :func:`run_collection` after the notebooks ran::

        write_index(paths.SEEDS_DIR, list_notebooks(), paths.REPORTS_DIR, paths.FIGURES_DIR)
    """
    from datetime import datetime
    from importlib.metadata import PackageNotFoundError, version

    esc = html.escape
    summary = summary if summary is not None else _corpus_summary(corpus, kinds)
    versions = []
    for pkg in KEY_PACKAGES:
        try:
            versions.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            continue
    parts = [
        "<!DOCTYPE html><html lang='zh-Hans'><head><meta charset='utf-8'>",
        "<title>Directives: reports</title>",
        CJK_FONT_CSS,
        "<style>body{max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.5}"
        ".figs{display:flex;flex-wrap:wrap;gap:12px}.figs a{display:block;width:360px;font-size:.85em}"
        ".figs img{width:360px;border:1px solid #ddd}dt{font-weight:bold}</style></head><body>",
        "<h1>Chinese government directives as text: reports</h1>",
        "<h2>Corpus</h2><dl>",
        f"<dt>Source</dt><dd>{esc(str(corpus))}</dd>",
        f"<dt>Articles</dt><dd>{summary['articles']:,} ({summary['dated']:,} dated)</dd>",
        f"<dt>Date range</dt><dd>{esc(str(summary['first_date']))} to {esc(str(summary['last_date']))}</dd>",
        f"<dt>Regions</dt><dd>{esc('、'.join(summary['regions'][:200]))}</dd>",
        f"<dt>Han characters</dt><dd>{summary['han_characters']:,}</dd></dl>",
        "<h2>Notebooks</h2>",
    ]
    for nb in notebooks:
        report_file = reports / f"{nb.stem}.html"
        title, purpose, figs = notebook_outline(nb)
        ids = _heading_ids(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
        parts.append(f"<h3><a href='{esc(report_file.name)}'>{esc(title)}</a></h3><p>{esc(purpose)}</p>")
        thumbs = []
        for name, section in figs.items():
            png = figures / f"{name}.png"
            if png.is_file():
                anchor = ids.get(section, "")
                href = f"{report_file.name}#{anchor}" if anchor else report_file.name
                thumbs.append(f"<a href='{esc(href, quote=True)}'><img src='{_thumbnail(png)}' alt='{esc(name)}'>"
                              f"<br>{esc(name)}.png · {esc(section)}</a>")  # fmt: skip
        if thumbs:
            parts.append("<div class='figs'>" + "".join(thumbs) + "</div>")
    run_date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<h2>Run</h2><p>{esc(run_date)} · {esc(' · '.join(versions))}</p></body></html>")
    index = reports / "index.html"
    page = "\n".join(parts)
    index.write_text(page.replace("</head>", cjk_font_face(page) + "</head>", 1), encoding="utf-8")
    return index


def _corpus_summary(corpus: Path, kinds: list[str] | None = ("article",)) -> dict:
    """The index's summary of ``corpus`` (:func:`directives.corpus.corpus_summary` of its metadata)."""
    from .corpus import corpus_summary
    from .scale import open_corpus

    return corpus_summary(open_corpus(corpus, kinds=kinds, problems=[]).meta)  # notebook 01 reports the problems


# The seeds' own vocabulary, passed explicitly when the collection runs on the seeds: another corpus gets its own
# (directives.vocabulary), never this list.
SEEDS_PARAMETERS = {
    "SLOGANS": ["动态清零", "外防输入", "人民至上", "生命至上", "麻痹思想", "四方责任", "守土有责", "第一责任人"],
    "PHRASES": ["动态清零", "外防输入", "四方责任", "人民至上", "麻痹思想", "守土有责", "第一责任人", "联防联控"],
    "KWIC_TERMS": ["压实", "责任"],
}


def report_jobs(jobs: int | None = None) -> int:
    """How many notebooks run at a time after the first: ``jobs``, else ``DIRECTIVES_REPORT_JOBS``, else 2 on a
    machine with two cores or more (a kernel mostly uses one core), else 1.

    >>> report_jobs(3), report_jobs(1)
    (3, 1)
    """
    if jobs is None:
        told = os.environ.get("DIRECTIVES_REPORT_JOBS", "").strip()
        jobs = int(told) if told else (2 if (os.cpu_count() or 1) >= 2 else 1)
    return max(1, int(jobs))


def _run_and_export(
    nb: Path, executed: Path, corpus: Path, figures: Path, extra: dict, tables: Path, html_path: Path
) -> tuple[Path, float]:
    """Run one notebook and export its HTML; the path and the seconds both took. The kernel inherits
    ``DIRECTIVES_NOTEBOOK`` (the notebook's stem), so a tool watching processes can tell which kernel runs what."""
    import time

    before = os.environ.get("DIRECTIVES_NOTEBOOK")
    os.environ["DIRECTIVES_NOTEBOOK"] = nb.stem
    start = time.perf_counter()
    try:
        run_notebook(nb, executed, corpus, figures, extra, tables)
    finally:  # (the caller's environment as it was, when the first notebook runs in the caller's process)
        if before is None:
            del os.environ["DIRECTIVES_NOTEBOOK"]
        else:
            os.environ["DIRECTIVES_NOTEBOOK"] = before
    export_html(executed, html_path)
    return html_path, time.perf_counter() - start


def run_collection(
    corpus: Path,
    out: Path | None = None,
    notebooks: list[Path] | None = None,
    parameters: dict | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """Run every notebook on ``corpus``; figures go to ``out/figures`` (default: the repo's figures/),
    HTML to ``out/reports`` (default: the repo's reports/), the tables the notebooks show to
    ``out/tables`` as CSV (default: ``reports/tables``; see :func:`directives.paths.output_dirs`). Returns
    the HTML paths, in the notebooks' order. ``parameters`` go to each notebook that declares them in its
    ``parameters`` cell (``{"MAX_DOCS": 50_000}``, say); on the seeds, :data:`SEEDS_PARAMETERS` (their list of
    slogans and phrases) unless ``parameters`` says otherwise. ``REPORT`` is True for every notebook that declares
    it: a report has no kernel, so its explorers (:mod:`directives.explore`) show their answers for a few examples.

    The corpus's dataset (:func:`~directives.dataset.build_dataset`, which every notebook reads from the cache) is
    built first, on all cores, before any notebook starts (it prints ``built the dataset of NAME in S s``); the
    notebooks then run ``jobs`` at a time (:func:`report_jobs`: 2 on two cores or more; longest first,
    :func:`lane_order`), each in its own fresh kernel, as each would alone: they share nothing but the cache, whose
    entries are written atomically. (Where the build fails, the first notebook runs alone and meets the problem in
    its own cells; with ``jobs=1`` the notebooks run one after another, the first building the dataset.) A failing
    notebook stops the run (the ones not started are not started) with its name, the cell and the error. Each
    notebook prints ``ran NAME in S s -> HTML`` when done.

    What ``make report`` runs (several minutes)::

        run_collection(paths.SEEDS_DIR, out=Path("/tmp/seeds-run"))
    """
    import papermill as pm

    dirs = paths.output_dirs(out)
    figures, reports, tables = dirs["figures"], dirs["reports"], dirs["tables"]
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    notebooks = notebooks or list_notebooks()
    if Path(corpus).resolve() == paths.SEEDS_DIR.resolve():
        parameters = {**SEEDS_PARAMETERS, **(parameters or {})}
    parameters = {"REPORT": True, **(parameters or {})}  # no kernel behind a report: explorers show examples
    kinds = parameters.get("KINDS", ("article",))
    with tempfile.TemporaryDirectory() as tmp:
        tasks = []
        for nb in notebooks:
            declared = pm.inspect_notebook(str(nb))
            extra = {k: v for k, v in parameters.items() if k in declared}
            tasks.append((nb, Path(tmp) / nb.name, corpus, figures, extra, tables, reports / f"{nb.stem}.html"))
        rest, jobs = tasks[1:], min(report_jobs(jobs), len(tasks) - 1)
        lanes, build = _lanes(jobs, corpus) if len(rest) > 1 and jobs > 1 else (None, None)
        try:
            summary = None
            if lanes is not None:  # every notebook in the lanes; if the build failed, the first alone before them
                written = [] if _built_in_lane(build, corpus) else [_run_and_export_reported(tasks[0])]
                done, summary = _run_in_lanes(lanes, tasks[len(written) :], lambda: _corpus_summary(corpus, kinds))
                written += done
            else:
                written = [_run_and_export_reported(task) for task in tasks]
        finally:
            if lanes is not None:
                lanes.shutdown(cancel_futures=True)
    written.append(write_index(corpus, notebooks, reports, figures, kinds, summary=summary))
    print(f"index -> {written[-1]}", flush=True)
    return written


def _run_and_export_reported(task: tuple) -> Path:
    html_path, seconds = _run_and_export(*task)
    _print_ran(task[0], seconds, html_path)
    return html_path


def _print_ran(nb: Path, seconds: float, html_path: Path) -> None:
    """The line each notebook prints when done (``bench_notebooks.py`` reads it)."""
    print(f"ran {nb.name} in {seconds:.1f} s -> {html_path}", flush=True)


def _build_in_lane(corpus: Path) -> float:
    """Build (or find in the cache) the dataset of ``corpus`` as the notebooks open it; the seconds it took. Its
    warnings are not shown here: the cache keeps the problems met, and each notebook reports them as it opens the
    corpus."""
    import time
    import warnings

    from .dataset import build_dataset

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_dataset(corpus)
    return time.perf_counter() - start


def _built_in_lane(build, corpus: Path) -> bool:
    """Whether the corpus's dataset was built by ``build`` (:func:`_lanes`' future: on all cores, before any
    notebook starts); False when building raised (a missing or unreadable corpus: the first notebook then shows the
    error in its cell)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        seconds = build.result()
    except BrokenProcessPool as exc:  # the lane itself died (out of memory?): no notebook could run in the lanes
        raise RuntimeError(f"the process building the dataset of {corpus} died: {exc}") from exc
    except Exception:  # whatever it was, the first notebook meets it again and reports it in its cell
        return False
    print(f"built the dataset of {Path(corpus).name} in {seconds:.1f} s", flush=True)
    return True


def _warm_lane() -> None:
    """What a lane imports before its first notebook (papermill, nbconvert, fontTools: seconds of imports), done
    while the dataset is built."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    from fontTools import subset  # noqa: F401
    from nbconvert import HTMLExporter  # noqa: F401


def _lanes(jobs: int, corpus: Path | None = None):
    """A pool of ``jobs`` processes of their own (spawned: each kernel they start inherits only their
    environment), each importing what running and exporting a notebook needs; with ``corpus``, the first lane
    builds its dataset first (:func:`_build_in_lane`) while the others import. The pool, and the build's future
    (None without ``corpus``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    build = pool.submit(_build_in_lane, Path(corpus)) if corpus is not None else None  # first: nothing waits for it
    for _ in range(jobs):  # one task per lane: each submit starts a process while none is idle
        pool.submit(_warm_lane)
    return pool, build


# The collection's notebooks by how long they take on a large corpus, longest first (bench_notebooks.py at 100,000
# articles, 2026-12-06: cold 03 87 s, 06 79 s, 07 66 s, 02 58 s, 08 51 s, 05 35 s, 04 26 s; warm 08 58 s, 07 57 s,
# 03 51 s, 06 49 s, 05 34 s, 02 28 s, 04 21 s). Started in this order, two lanes end closer together than in the
# notebooks' own order, where the last long notebook started last and ran on alone (cold 217 s against 206 s, warm
# 158 s against 149 s, adding up those times as two lanes would run them).
LONGEST_FIRST = (
    "03_tfidf_similarity", "07_echoes", "06_shared_phrases", "08_topics", "02_term_frequency", "05_wordclouds",
    "04_timeline", "01_corpus",
)  # fmt: skip


def lane_order(notebooks: list[Path]) -> list[int]:
    """The order in which notebooks start in lanes, as indices into ``notebooks``: the collection's own longest
    first (:data:`LONGEST_FIRST`), then any others in their order. The reports still come back in the notebooks'
    order.

    >>> lane_order([Path("02_term_frequency.ipynb"), Path("90_mine.ipynb"), Path("03_tfidf_similarity.ipynb")])
    [2, 0, 1]
    """
    rank = {stem: i for i, stem in enumerate(LONGEST_FIRST)}
    return sorted(range(len(notebooks)), key=lambda i: rank.get(Path(notebooks[i]).stem, len(rank)))


def _run_in_lanes(lanes, tasks: list[tuple], meanwhile=None) -> tuple[list[Path], object]:
    """Run ``tasks`` (each :func:`_run_and_export`'s arguments) in ``lanes`` (:func:`_lanes`); the HTML paths in
    the tasks' order, and what ``meanwhile()`` returned (called while the lanes work; None if it raised: the
    caller does it again and reports the error). The first failure cancels the tasks not yet started and is
    raised once the running ones end."""
    from concurrent.futures import FIRST_EXCEPTION, wait

    futures = {lanes.submit(_run_and_export, *tasks[i]): i for i in lane_order([t[0] for t in tasks])}
    result = None
    if meanwhile is not None:
        try:
            result = meanwhile()
        except Exception:  # the index, written after, raises it where it belongs
            result = None
    done: dict[int, Path] = {}
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
        for future in sorted(finished, key=futures.get):
            if future.exception() is not None:
                for other in pending:
                    other.cancel()
                wait(pending)  # the ones running end (a cancelled one is done at once)
                raise future.exception()
            html_path, seconds = future.result()
            done[futures[future]] = html_path
            _print_ran(tasks[futures[future]][0], seconds, html_path)
    return [done[i] for i in range(len(tasks))], result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=str(paths.SEEDS_DIR), help="corpus folder or file")
    parser.add_argument("--out", default=None, help="output folder (default: the repo's figures/ and reports/)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks run at a time after the first (default: DIRECTIVES_REPORT_JOBS, else 2 on "
                             "two cores or more)")  # fmt: skip
    args = parser.parse_args(argv)
    corpus = Path(args.seeds).resolve()
    try:
        run_collection(corpus, Path(args.out).resolve() if args.out else None, jobs=args.jobs)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
