"""The whole collection on a small hostile corpus: every notebook completes into a temp folder, every
figure exists, article text shows as text and runs nothing (checked in headless Chromium), reports are
offline, and the repo's figures/ stays as it was."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pytest
from directives import paths
from directives.report import NotebookFailed, list_notebooks, notebook_outline, run_collection
from PIL import Image

HOSTILE_TITLE = "<script>document.body.setAttribute('data-pwned','title')</script>恶意标题"
HOSTILE_REGION = "<img src=x onerror=\"document.body.setAttribute('data-pwned','region')\">某市"
HOSTILE_BODY = (
    "某市召开疫情防控会议，要求压实四方责任。<img src=x onerror=\"document.body.setAttribute('data-pwned','body')\">"
    "[点击这里](javascript:alert(1)) <script>document.body.setAttribute('data-pwned','script')</script>"
    "会议强调，坚决克服麻痹思想、厌战情绪。"
)


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.png"))}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (seed,) = paths.SEEDS_DIR.glob("000_*.txt")
    shutil.copy(seed, corpus / "yongzhou.txt")
    (corpus / "undated.txt").write_text("某县召开会议，要求压实四方责任，坚决克服麻痹思想。", encoding="utf-8")
    (corpus / "hostile.txt").write_text(HOSTILE_BODY, encoding="utf-8")
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "region", "level", "date", "date_basis", "title"])
        w.writerow(["hostile.txt", HOSTILE_REGION, "county", "2021-09-01", "stated", HOSTILE_TITLE])
    out = tmp_path_factory.mktemp("out")
    before = _digest(paths.FIGURES_DIR)
    run_collection(corpus, out, parameters={"KINDS": None})  # its items are short: every kind is analysed
    return out, before


def test_every_notebook_completes_with_every_figure(hostile_run):
    out, _ = hostile_run
    for nb in list_notebooks():
        assert (out / "reports" / f"{nb.stem}.html").is_file()
        _, _, figures = notebook_outline(nb)
        assert figures, nb.name
        for name in figures:
            pixels = np.asarray(Image.open(out / "figures" / f"{name}.png").convert("L"), dtype=float)
            assert pixels.std() > 5, name


def test_hostile_strings_are_escaped_text(hostile_run):
    out, _ = hostile_run
    page = (out / "reports" / "01_corpus.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body.setAttribute(" in page
    assert "<script>document.body.setAttribute(" not in page
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=" in index and "<img src=x" not in index


def test_reports_need_no_outside_host(hostile_run):
    out, _ = hostile_run
    for page in (out / "reports").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|img|link|iframe)\b[^>]*\b(src|href)=[\"']?https?://", text, re.I), page.name
        assert not re.search(r"<script\b[^>]*>[^<]*https?://", text, re.I), page.name
        if re.search(r"[\u4e00-\u9fff]", text):  # Chinese readable without any CJK font on the reader's machine
            assert "@font-face" in text, page.name


def test_index_lists_notebooks_summary_versions(hostile_run):
    out, _ = hostile_run
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    for nb in list_notebooks():
        assert f"{nb.stem}.html" in index
    assert "3 (2 dated)" in index and "2021-09-01 to 2022-03-19" in index
    assert "pandas " in index and "jieba " in index
    assert index.count("data:image/png;base64,") >= len(list_notebooks())
    assert "02_term_frequency.html#Top-terms-of-each-article" in index


def test_repo_figures_untouched(hostile_run):
    _, before = hostile_run
    assert _digest(paths.FIGURES_DIR) == before


def test_a_failing_notebook_names_itself_and_the_cell(tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    params = nbformat.v4.new_code_cell("CORPUS = ''\nFIGURES = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · broken"), params, nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailed, match=r"99_broken\.ipynb: cell \d+ failed: ZeroDivisionError"):
        run_collection(paths.SEEDS_DIR, tmp_path / "out", [path])


def _tiny_notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    params = nbformat.v4.new_code_cell("CORPUS = ''\nFIGURES = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def test_the_dataset_is_built_first_then_notebooks_run_two_at_a_time_each_in_its_own_kernel(tmp_path, capsys):
    # Each notebook writes the notebook name its kernel was started for, the kernel's pid, its start and end times,
    # and whether the corpus's dataset was already in the cache when it started; two sleep long enough that they
    # must overlap if two run at a time.
    from directives.dataset import build_dataset

    corpus = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS_DIR, corpus)  # a corpus no other test has built in the session's cache
    write = (
        "import os, time, pathlib, directives.dataset as D\n"
        "start = time.time()\n"
        "built = D._built_before(pathlib.Path(os.environ['DIRECTIVES_CACHE']), pathlib.Path(r'{corpus}'))\n"
        "time.sleep({sleep})\n"
        "pathlib.Path(r'{out}', '{name}.txt').write_text("
        "f\"{{os.environ['DIRECTIVES_NOTEBOOK']}} {{os.getpid()}} {{start}} {{time.time()}} {{built}}\")"
    )
    marks = tmp_path / "marks"
    marks.mkdir()
    books = [
        _tiny_notebook(tmp_path / f"{name}.ipynb", write.format(sleep=sleep, out=marks, name=name, corpus=corpus))
        for name, sleep in [("90_first", 0), ("91_a", 4), ("92_b", 4), ("93_c", 0)]
    ]
    html = run_collection(corpus, tmp_path / "out", books, jobs=2)
    assert "DIRECTIVES_NOTEBOOK" not in os.environ  # the caller's environment is left as it was
    assert [p.name for p in html[:-1]] == [f"{b.stem}.html" for b in books]  # the notebooks' order, then the index
    seen = {p.stem: p.read_text().split() for p in marks.glob("*.txt")}
    assert {name: words[0] for name, words in seen.items()} == {b.stem: b.stem for b in books}
    assert len({words[1] for words in seen.values()}) == 4  # a fresh kernel each
    assert all(words[4] == "True" for words in seen.values())  # the dataset was there before any notebook started
    a, b = seen["91_a"], seen["92_b"]
    assert float(a[2]) < float(b[3]) and float(b[2]) < float(a[3])  # 91 and 92 overlapped
    out = capsys.readouterr().out
    assert out.index("built the dataset of corpus in") < min(out.index(f"ran {b.name}") for b in books)
    assert len(build_dataset(corpus, problems=[])) == 5  # the five seeds, read back from the cache


def test_a_failing_notebook_among_concurrent_ones_stops_the_run_and_names_itself(tmp_path):
    books = [_tiny_notebook(tmp_path / "90_first.ipynb", "x = 1")]
    books.append(_tiny_notebook(tmp_path / "91_slow.ipynb", "import time; time.sleep(8)"))
    books.append(_tiny_notebook(tmp_path / "92_broken.ipynb", "1 / 0"))
    books += [_tiny_notebook(tmp_path / f"9{n}_later.ipynb", "x = 2") for n in range(3, 9)]
    with pytest.raises(NotebookFailed, match=r"92_broken\.ipynb: cell \d+ failed: ZeroDivisionError"):
        run_collection(paths.SEEDS_DIR, tmp_path / "out", books, jobs=2)
    reports = {p.name for p in (tmp_path / "out" / "reports").glob("*.html")}
    assert "90_first.html" in reports and "91_slow.html" in reports  # the one running when 92 failed finished
    assert "98_later.html" not in reports  # the ones not started were not started
    assert "index.html" not in reports


def test_a_corpus_that_cannot_be_built_is_reported_by_the_first_notebook_in_its_cell(tmp_path):
    """Where building the dataset fails (no such corpus), the first notebook runs alone and its cell says why."""
    opens = "from directives.scale import open_corpus\nopen_corpus(CORPUS)"
    books = [_tiny_notebook(tmp_path / "90_first.ipynb", opens)]
    books += [_tiny_notebook(tmp_path / f"9{n}_later.ipynb", "x = 2") for n in (1, 2)]
    with pytest.raises(NotebookFailed, match=r"90_first\.ipynb: cell \d+ failed: CorpusError"):
        run_collection(tmp_path / "missing", tmp_path / "out", books, jobs=2)
    assert not list((tmp_path / "out" / "reports").glob("9[12]_later.html"))


# --------------------------------------------------------------------------- a real browser
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--log-level=0", "--v=0", "--virtual-time-budget=3000",
]  # fmt: skip


@pytest.fixture(scope="module")
def chromium():
    exe = shutil.which("chromium")
    if exe is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=900, env=env)
        exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("Debian's chromium is not installed and could not be installed here (needs root and apt)")
    return exe


@pytest.mark.parametrize("page", ["index.html", "01_corpus.html"])
def test_reports_in_headless_chromium(hostile_run, chromium, tmp_path, page):
    out, _ = hostile_run
    url = (out / "reports" / page).as_uri()
    profile = tmp_path / "profile"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    shown = {"01_corpus.html": "&lt;script&gt;document.body.setAttribute(", "index.html": "&lt;img src=x onerror="}
    assert shown[page] in dom.stdout  # the hostile string is on the page, as text
    assert not re.search(r"<body[^>]*data-pwned", dom.stdout), "a script from article text ran"
    assert not re.search(r"<img[^>]*onerror", dom.stdout, re.I)
    shot = tmp_path / f"{page}.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600",
                    f"--screenshot={shot}", url], capture_output=True, timeout=120)  # fmt: skip
    assert shot.stat().st_size > 20_000


# The tables are driven as a reader would: after the page has loaded, type into the first search box. The probe
# is the test's own script, added to a copy of the report; nothing from the corpus runs.
SEARCH_PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const b = document.body, box = [...document.querySelectorAll(".dt-container")]
    .find((c) => c.querySelector(".dt-search input") && c.querySelectorAll("tbody tr").length > 1);
  b.setAttribute("data-tables", document.querySelectorAll("table.dataTable").length);
  if (!box) return;
  const info = () => box.querySelector(".dt-info").textContent;
  const cell = [...box.querySelectorAll("tbody tr")[1].querySelectorAll("td")]
    .map((td) => td.textContent.trim()).find((t) => t.length >= 2 && !/\\s/.test(t));
  b.setAttribute("data-before", info());
  b.setAttribute("data-query", cell);
  const input = box.querySelector(".dt-search input");
  input.value = cell;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  setTimeout(() => {
    b.setAttribute("data-after", info());
    b.setAttribute("data-rows", JSON.stringify([...box.querySelectorAll("tbody tr")].map((r) => r.textContent)));
  }, 300);
}, 1500));
</script>"""
NETWORK_OFF = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def test_interactive_tables_render_offline_escape_and_search(hostile_run, chromium, tmp_path):
    import html as html_lib
    import json

    out, _ = hostile_run
    page = (out / "reports" / "02_term_frequency.html").read_text(encoding="utf-8")
    shown = page.count('class="directives-table')
    assert shown >= 8 and page.count("DecompressionStream") == 1  # DataTables embedded once for every table
    probe = tmp_path / "02_probe.html"
    probe.write_text(page.replace("</body>", SEARCH_PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, *NETWORK_OFF, f"--user-data-dir={tmp_path / 'profile'}",
                          "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120)  # fmt: skip
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    body = re.search(r"<body([^>]*)>", dom.stdout).group(1)
    attrs = {k: html_lib.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', body)}
    assert "pwned" not in attrs, "a script from article text ran"
    assert not re.search(r"<img[^>]*onerror", dom.stdout, re.I)
    assert int(attrs["tables"]) == shown  # every table rendered with the network off
    assert "&lt;img src=x onerror=" in dom.stdout  # the hostile region, in a rendered table, as text
    total = int(re.search(r"of ([\d,]+) entries", attrs["before"]).group(1).replace(",", ""))
    after = re.search(r"of ([\d,]+) entr(?:y|ies) \(filtered from ([\d,]+) total", attrs["after"])
    assert after, attrs["after"]
    assert 1 <= int(after.group(1)) < total == int(after.group(2))
    rows = json.loads(attrs["rows"])
    assert rows and all(attrs["query"] in row for row in rows)


def test_lanes_start_the_collections_longest_notebooks_first_and_any_other_after():
    """The notebooks start longest first (``LONGEST_FIRST``, from the 100,000-article benchmark); the list names
    every notebook of the collection, so a renamed or new notebook is not silently started last, and notebooks of a
    user's own start after them in their order."""
    from directives.report import LONGEST_FIRST, lane_order, list_notebooks

    collection = list_notebooks()
    assert sorted(LONGEST_FIRST) == sorted(nb.stem for nb in collection)
    rest = [*collection, Path("90_mine.ipynb"), Path("89_other.ipynb")]
    order = lane_order(rest)
    assert sorted(order) == list(range(len(rest)))
    assert [rest[i].stem for i in order] == [*LONGEST_FIRST, "90_mine", "89_other"]
