"""The documentation site: built from the sources, opened in a real headless browser.

``make test`` builds the site first (``sphinx -W``, gallery executed) and
passes its folder in ``$LUTLEARN_DOCS_HTML``; without it, an up-to-date
``make docs`` output is used, or the site is built here from a copy of the
sources. The browser is Debian's Chromium driven
through its chromedriver (``scripts/install-debian-tools.sh`` installs both);
the browser tests skip with a visible reason when either is missing.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Modules documented in the API reference: ``lutlearn.<module>`` -> its page ``docs/api/<page>.rst``, read from
#: the pages' ``automodule`` directives.
API_PAGES = {
    m.group(1): page.stem
    for page in sorted((REPO / "docs" / "api").glob("*.rst"))
    for m in re.finditer(r"^\.\. automodule:: lutlearn\.(\S+)", page.read_text(encoding="utf-8"), re.M)
}


# ---------------------------------------------------------------- the built site
def _build_site(out: Path) -> Path:
    """Build the site from a copy of the sources (sphinx-gallery writes beside its sources)."""
    tree = out / "tree"
    shutil.copytree(REPO / "docs", tree / "docs",
                    ignore=shutil.ignore_patterns("_build", "auto_examples", "generated", "__pycache__"))
    for name in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "CITATION.cff"):
        shutil.copy(REPO / name, tree / name)
    figures = tree / "benchmarks" / "results"  # the benchmark plots the pages show
    figures.mkdir(parents=True)
    for path in (REPO / "benchmarks" / "results").glob("*.[ps][nv]g"):
        shutil.copy(path, figures / path.name)
    html = out / "html"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(tree / "docs"), str(html)],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, f"sphinx failed:\n{result.stdout}\n{result.stderr}"
    return html


def _up_to_date(html: Path) -> bool:
    """Whether ``html`` (``make docs``'s output) is newer than every source of the site."""
    index = html / "index.html"
    if not index.is_file():
        return False
    sources = [p for p in (REPO / "docs").rglob("*") if p.is_file() and "_build" not in p.parts
               and "auto_examples" not in p.parts and "__pycache__" not in p.parts]
    sources += list((REPO / "src" / "lutlearn").rglob("*.py"))
    sources += [REPO / name for name in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "CITATION.cff")]
    built = max(p.stat().st_mtime for p in html.rglob("*") if p.is_file())  # Sphinx rewrites only what changed
    return max(p.stat().st_mtime for p in sources) < built


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The folder of the built site (``index.html`` at its root).

    ``$LUTLEARN_DOCS_HTML`` (set by ``make test``, which has just built it), else
    ``docs/_build/html`` when it is newer than every source, else a fresh build.
    """
    given = os.environ.get("LUTLEARN_DOCS_HTML")
    if given:
        path = Path(given)
        if not path.is_absolute():
            path = REPO / path
        assert (path / "index.html").is_file(), f"$LUTLEARN_DOCS_HTML={given} holds no built site"
        return path
    if _up_to_date(REPO / "docs" / "_build" / "html"):
        return REPO / "docs" / "_build" / "html"
    return _build_site(tmp_path_factory.mktemp("docs"))


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


def _ids(page: Path) -> set[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name for name, obj in vars(module).items()
        if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]


def test_api_index_summarizes_every_documented_module():
    """The API index's summary table (``docs/_ext/lutlearn_api.py``) lists the modules the pages document."""
    from _scripts import load_script

    assert set(load_script("docs/_ext/lutlearn_api.py").API_MODULES) == set(API_PAGES)


def test_api_reference_documents_every_public_name(site):
    missing = []
    for name, page in API_PAGES.items():
        module = importlib.import_module(f"lutlearn.{name}")
        ids = _ids(site / "api" / f"{page}.html")
        summary = (site / "api" / f"{page}.html").read_text(encoding="utf-8")
        if _public_names(module):
            assert 'class="autosummary' in summary, f"api/{page}.html has no summary table"
        missing += [f"lutlearn.{name}.{n}" for n in _public_names(module) if f"lutlearn.{name}.{n}" not in ids]
    root = importlib.import_module("lutlearn")
    for name in root.__all__:
        obj = getattr(root, name)
        if name != "__version__":
            target = f"{obj.__module__}.{name}"
            if target not in _ids(site / "api" / f"{API_PAGES[obj.__module__.removeprefix('lutlearn.')]}.html"):
                missing.append(f"lutlearn.{name} (at {target})")
    assert not missing, f"not in the API reference: {missing}"


def test_cli_reference_is_generated_from_the_parser(site):
    from lutlearn.cli import build_parser

    text = (site / "cli.html").read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    absent = []
    for name, sub in subparsers.choices.items():
        if f"lutlearn {name}" not in text:
            absent.append(f"section lutlearn {name}")
        for action in sub._actions:
            absent += [f"{name} {opt}" for opt in action.option_strings if opt not in text]
    assert len(subparsers.choices) >= 10
    assert not absent, f"missing from the CLI reference: {absent}"


def test_gallery_executed_every_example(site):
    examples = sorted((REPO / "docs" / "gallery").glob("plot_*.py"))
    assert examples
    for example in examples:
        page = site / "auto_examples" / f"{example.stem}.html"
        assert page.is_file(), f"no page for {example.name}"
        # sphinx-gallery writes the captured stdout of an executed example in a "sphx-glr-script-out" block.
        html = page.read_text(encoding="utf-8")
        assert "sphx-glr-script-out" in html, f"{example.name} printed nothing"
        assert not _PROGRESS_BAR.search(html), f"{example.name} shows progress-bar output"


#: What a tqdm bar leaves in captured output: ``45%|####5 | 9/20 [00:01<00:02, 4.1run/s]``.
_PROGRESS_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\[\d\d:\d\d<\d\d:\d\d")


def test_the_progress_bar_check_can_fail():
    assert _PROGRESS_BAR.search("table1:  45%|####5     | 9/20 [00:01<00:02,  4.10run/s]")
    assert not _PROGRESS_BAR.search("exit status 0\n| k | accuracy |\n| 6 | 0.90 |")


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("Chromium or chromedriver not installed (Debian packages 'chromium', 'chromium-driver')")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a browser online
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WINDOW_WIDTH},900", "--allow-file-access-from-files"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


#: The browser window's width: no code block may be clipped (scroll sideways) at it.
WINDOW_WIDTH = 1400

_PAGE_STATE = """
const images = Array.from(document.images).map(
    i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}));
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
const h1 = document.querySelector('h1');
const body = document.querySelector('article.bd-article') || document.querySelector('div.body');
const code = Array.from(document.querySelectorAll('div.highlight pre'));
const version = document.querySelector('.navbar-header-items .lutlearn-version, header .lutlearn-version');
return {ready: document.readyState, title: document.title, h1: h1 ? h1.textContent.trim() : '',
        text: body ? body.innerText.length : 0, images: images, links: links,
        code: code.length, copy: document.querySelectorAll('div.highlight button.copybtn').length,
        clipped: code.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText.split('\\n')[0].slice(0, 60)),
        version: version ? version.textContent.trim() : null, width: window.innerWidth};
"""


def check_site(driver, root: Path, start: str = "index.html", limit: int | None = None) -> tuple[list[str], dict]:
    """Open every page reachable from ``start`` in the browser; return (problems, per-page image counts).

    A page is a problem when it does not finish loading, has no heading or no
    text, shows an image that did not load, links to a file of the site that
    does not exist or to an anchor that is not on the target page, lacks the
    version in its header or a copy button on a code block, clips a code
    block (at a window :data:`WINDOW_WIDTH` pixels wide), or is more than two
    clicks from ``start``.
    """
    from lutlearn import __version__

    root = root.resolve()
    problems: list[str] = []
    images: dict[str, int] = {}
    ids: dict[Path, set[str]] = {}
    queue, seen, clicks = [root / start], {root / start}, {root / start: 0}
    while queue and (limit is None or len(images) < limit):
        page = queue.pop(0)
        name = page.relative_to(root).as_posix()
        driver.get(page.as_uri())
        state = driver.execute_script(_PAGE_STATE)
        images[name] = len(state["images"])
        if state["ready"] != "complete" or not state["title"]:
            problems.append(f"{name}: did not load")
        if name not in ("genindex.html", "search.html", "py-modindex.html") and (not state["h1"] or state["text"] < 40):
            problems.append(f"{name}: no heading or no text rendered")
        if state["version"] != f"v{__version__}":
            problems.append(f"{name}: the header shows no version v{__version__} (found {state['version']!r})")
        if state["copy"] < state["code"]:
            missing = state["code"] - state["copy"]
            problems.append(f"{name}: {missing} of {state['code']} code blocks have no copy button")
        problems += [f"{name}: code block clipped at {state['width']} px: {c!r}" for c in state["clipped"]]
        if clicks[page] > 2:
            problems.append(f"{name}: {clicks[page]} clicks from {start}")
        problems += [f"{name}: image did not load: {img['src']}" for img in state["images"] if not img["ok"]]
        for href in state["links"]:
            parts = urlsplit(href)
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            if not target.exists():
                shown = target.relative_to(root) if root in target.parents else target
                problems.append(f"{name}: broken link to {shown}")
                continue
            if target.suffix != ".html" or root not in target.parents:
                continue
            if parts.fragment:
                if target not in ids:
                    ids[target] = _ids(target)
                if unquote(parts.fragment) not in ids[target]:
                    problems.append(f"{name}: link to a missing anchor {target.relative_to(root)}#{parts.fragment}")
            if target not in seen and "_sources" not in target.parts and "_modules" not in target.parts:
                seen.add(target)
                clicks[target] = clicks[page] + 1
                queue.append(target)
    return problems, images


def test_pages_render_with_figures_and_no_broken_links(site, browser):
    problems, images = check_site(browser, site)
    assert not problems, "\n".join(problems)
    expected = {"index.html", "install.html", "getting_started.html", "command_line.html", "model.html",
                "datasets.html", "reproducing.html", "memorization.html", "multiclass.html", "frontier.html",
                "export.html", "circuits.html", "hardware.html", "dask.html", "performance.html", "file_format.html",
                "architecture.html", "cli.html", "api/index.html", "api/model.html", "auto_examples/index.html",
                "auto_examples/plot_quickstart.html"}
    expected |= {f"{p.relative_to(REPO / 'docs').with_suffix('.html').as_posix()}"
                 for p in (REPO / "docs").glob("*.md")} | {f"api/{page}.html" for page in API_PAGES.values()}
    assert expected <= set(images), f"pages not reached from index.html: {expected - set(images)}"
    assert images["frontier.html"] >= 1  # the frontier plot
    figures = {page: n for page, n in images.items() if page.startswith("auto_examples/plot_")}
    assert figures["auto_examples/plot_quickstart.html"] >= 1
    assert sum(figures.values()) >= 4, figures


def test_the_browser_check_finds_broken_figures_and_links(site, browser, tmp_path):
    """The check above can fail: a site with a deleted figure and a dangling link is reported."""
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    page = broken / "auto_examples" / "plot_quickstart.html"
    image = re.search(r'<img[^>]+src="([^"]+\.png)"', page.read_text(encoding="utf-8")).group(1)
    (page.parent / image).unlink()
    index = broken / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace('href="model.html"', 'href="modle.html"', 1),
                     encoding="utf-8")
    problems, _ = check_site(browser, broken, start="index.html", limit=1)
    assert any("broken link to modle.html" in p for p in problems), problems
    problems, _ = check_site(browser, broken, start="auto_examples/plot_quickstart.html", limit=1)
    assert any("image did not load" in p for p in problems), problems


def test_the_browser_check_finds_clipped_code_missing_buttons_and_version(site, browser, tmp_path):
    """The new checks can fail: code that does not wrap, a page without copy buttons or without the version."""
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    page = broken / "command_line.html"
    text = page.read_text(encoding="utf-8")
    assert 'class="lutlearn-version"' in text and "copybutton" in text
    text = text.replace('class="lutlearn-version"', 'class="no-version"')
    text = text.replace("</head>", "<style>div.highlight pre { white-space: pre !important; }</style></head>", 1)
    text = re.sub(r'<script[^>]*copybutton[^>]*></script>', "", text)
    page.write_text(text, encoding="utf-8")
    problems, _ = check_site(browser, broken, start="command_line.html", limit=1)
    assert any("code block clipped at 1400 px" in p for p in problems), problems
    assert any("have no copy button" in p for p in problems), problems
    assert any("the header shows no version" in p for p in problems), problems


def test_every_page_is_at_most_two_clicks_from_the_index(site):
    """The index lists every page of the guide; the API and gallery indexes list theirs (a check without the
    browser, on the built HTML)."""
    index = (site / "index.html").read_text(encoding="utf-8")
    for page in sorted((REPO / "docs").glob("*.md")):
        if page.stem != "index":
            assert f'href="{page.stem}.html"' in index, f"{page.stem} is not linked from the index"
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{page}.html' in api for page in API_PAGES.values())


def test_intersphinx_only_when_asked(monkeypatch):
    """The site builds offline (as the tests build it): NumPy's, scikit-learn's and Dask's inventories are fetched
    only with LUTLEARN_DOCS_INTERSPHINX=1."""
    import runpy

    monkeypatch.delenv("LUTLEARN_DOCS_INTERSPHINX", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert runpy.run_path(str(REPO / "docs" / "conf.py"))["intersphinx_mapping"] == {}
    monkeypatch.setenv("LUTLEARN_DOCS_INTERSPHINX", "1")
    conf = runpy.run_path(str(REPO / "docs" / "conf.py"))
    assert {"numpy", "sklearn", "dask"} <= set(conf["intersphinx_mapping"])
    assert "sphinx_copybutton" in conf["extensions"] and conf["html_theme"] == "pydata_sphinx_theme"
