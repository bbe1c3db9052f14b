"""The gallery: every config of a folder rendered to a GIF, and a README of HTML tables.

``deconv-anim gallery configs -o gallery`` renders ``configs/NAME.yaml`` to
``gallery/NAME.gif`` and writes ``gallery/README.md``. The tables of that README come from an
optional ``configs/gallery.yaml`` (see :func:`parse_layout` and ``docs/gallery.md``);
without it the README is one table of every config, in name order.

Renders are incremental: ``gallery/.deconv-anim.json`` records, per output, the sha256 of the
config's bytes, the renderer's ``FORMAT_VERSION`` and the sha256 of the GIF written. An
output is rendered again only when one of those no longer matches (or with ``force``); the
record is saved after each finished render, so an interrupted run resumes where it stopped.
:func:`check_gallery` renders nothing and lists what a run would change (``--check``).

The package, by job: :mod:`.plan` (``gallery.yaml``), :mod:`.readme` (the README's HTML
tables), :mod:`.manifest` (what was rendered from what, staleness), :mod:`.workers` (the
process pool and its signals), :mod:`.build` (a run and ``--check``).
"""

from __future__ import annotations

from .build import GalleryReport, build_gallery, check_gallery
from .manifest import MANIFEST_NAME, Problem, remove_stale_temps
from .plan import (
    LAYOUT_NAME,
    Cell,
    GalleryPlan,
    Row,
    Section,
    Table,
    complete_layout,
    find_configs,
    load_layout,
    parse_layout,
)
from .readme import IMAGE_WIDTH, README_NAME, readme_text
from .workers import default_jobs

__all__ = ["Cell", "Row", "Table", "Section", "GalleryPlan", "GalleryReport", "Problem",
           "LAYOUT_NAME", "MANIFEST_NAME", "README_NAME", "IMAGE_WIDTH",
           "find_configs", "parse_layout", "load_layout", "complete_layout", "readme_text",
           "build_gallery", "check_gallery", "default_jobs", "remove_stale_temps"]
