"""Sphinx configuration of lutlearn's documentation site (``make docs``)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent / "src"))  # a checkout builds its own sources

import lutlearn  # noqa: E402

project = "lutlearn"
author = "The lutlearn developers"
copyright = "2026, The lutlearn developers"
version = release = lutlearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "lutlearn_cli",
    "lutlearn_api",
]
autosummary_generate = False  # the summary tables link to the entries automodule writes on the same pages

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "gallery/README.rst", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["lutlearn.css"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {
    # the version beside the name in the header of every page (_templates/lutlearn-version.html)
    "navbar_start": ["navbar-logo", "lutlearn-version"],
    "logo": {"text": "lutlearn"},
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "light"}
html_title = f"lutlearn {release}"
# Every page is listed on the index page and in the header: no left sidebar, the room goes to the text
# (the right-hand sidebar keeps the page's own sections).
html_sidebars = {"**": []}
html_show_sourcelink = False

# Copy buttons copy the commands of console blocks ("$ " lines) without the prompt or the output shown.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# Cross-references to NumPy, scikit-learn and Dask. Their inventories are on the web, and the site builds
# offline (the tests build it without a network), so they are fetched only when asked for:
# LUTLEARN_DOCS_INTERSPHINX=1 make docs. Offline, such references render as plain code, never as errors.
INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "dask": ("https://docs.dask.org/en/stable", None),
}
intersphinx_mapping = INTERSPHINX if os.environ.get("LUTLEARN_DOCS_INTERSPHINX") == "1" else {}
intersphinx_timeout = 10

# The README is the front door; the pages under docs/ own the long sections.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# The gallery: every example runs at build time on the bundled 8x8 digits (seconds).
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_order.ExampleOrder",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "write_computation_times": False,
    "show_memory": False,
    "reset_modules": ("matplotlib",),
}

os.environ.setdefault("MPLBACKEND", "Agg")


_TYPE_LINE = re.compile(r"^(\s*\*{0,2}\w+\*{0,2} : )(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(\w)_(?=[,)\s]|$)")


def _escape_attribute_names_in_types(app, what, name, obj, options, lines):
    """``ndarray of shape (n_features_in_,)`` in a numpydoc type is text, not a link target."""
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            lines[i] = match.group(1) + _TRAILING_UNDERSCORE.sub(r"\1\\_", match.group(2))


def _skip_metadata_routing(app, what, name, obj, skip, options):
    """scikit-learn's generated ``set_*_request`` methods are documented by scikit-learn."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _escape_attribute_names_in_types)
    app.connect("autodoc-skip-member", _skip_metadata_routing)
