"""Build and check a gallery: render what is stale, record it, write the README."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import ConfigError, OutputError, os_reason
from ..formats import FORMATS
from .manifest import (
    MANIFEST_NAME,
    Item,
    Problem,
    read_items,
    read_manifest,
    remove_stale_temps,
    stale_reason,
    write_manifest,
)
from .plan import GalleryPlan, complete_layout, find_configs, load_layout
from .readme import README_NAME, readme_text
from .workers import Size, default_jobs, figure_size, run_renders
from .workers import format_version as renderer_version

__all__ = ["GalleryReport", "build_gallery", "check_gallery"]


@dataclass
class GalleryReport:
    """What a gallery run did; names are config names, in name order."""

    out_dir: Path
    rendered: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(name, error line) of every config that could not be loaded or rendered."""
    removed: list[str] = field(default_factory=list)
    """Outputs deleted because their config is gone."""
    readme_written: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        text = (f"{self.out_dir}: rendered {len(self.rendered)}, up to date "
                f"{len(self.up_to_date)}, failed {len(self.failed)}")
        return text + (f", removed {len(self.removed)}" if self.removed else "")



def _scan(config_dir: str | Path, format: str = "gif") -> tuple[list[Item], GalleryPlan]:
    if format not in FORMATS:
        raise ConfigError("format", f"must be one of {', '.join(FORMATS)} (got {format!r})")
    configs = find_configs(config_dir)
    if not configs:
        raise ConfigError(None, "has no *.yaml configs", str(config_dir))
    layout = complete_layout(load_layout(config_dir, configs), configs)
    return read_items(configs, f".{format}"), layout


def _titles(items: Iterable[Item]) -> dict[str, str | None]:
    return {item.name: item.config.render.title if item.config else None for item in items}


def _sizes(items: Iterable[Item], known: Mapping[str, Size] | None = None
           ) -> dict[str, Size]:
    """(width, height, grid cell) in pixels of each config's figure, from its layout (no
    pixel is drawn): ``known`` ones (the renders' own) are not worked out again."""
    sizes: dict[str, Size] = {}
    for item in items:
        if item.config is None:
            continue
        size = (known or {}).get(item.name) or figure_size(item.config)
        if size is not None:
            sizes[item.name] = size
    return sizes



def build_gallery(config_dir: str | Path = "configs", out_dir: str | Path = "gallery", *,
                  jobs: int | None = None, force: bool = False, format: str = "gif",
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[str, str | None], None] | None = None,
                  max_frames: int | None = None, max_pixels: int | None = None
                  ) -> GalleryReport:
    """Render every config of ``config_dir`` that is not up to date, then write the README.

    Parameters
    ----------
    config_dir, out_dir : path
        Where the configs are; where ``NAME.gif``, ``README.md`` and the manifest go
        (created if missing). A config's ``output:`` key is ignored here.
    jobs : int, optional
        Renders at once, in worker processes (default: every core); 1 renders in this
        process.
    force : bool
        Render every config, even those up to date.
    format : str
        The outputs' format: gif, png (APNG), webp, mp4 or svg. Outputs of another format
        that the manifest recorded are removed.
    on_start, on_done : callable, optional
        Called with the number of renders to do, and with (name, error or None) after each
        one: a progress bar's hooks.
    max_frames, max_pixels : int, optional
        The resource guard of every render (default: :data:`deconv_anim.spec.MAX_FRAMES`
        and :data:`~deconv_anim.spec.MAX_PIXELS`); a config over it fails.

    Interrupted (Ctrl-C), the run stops its worker processes, leaves no temp file and
    keeps every render it recorded: run it again to render the rest. Temp files that
    killed processes left in ``out_dir`` are removed at the start and the end of a run.

    Returns
    -------
    GalleryReport
        A config that fails to load or render is listed in ``failed``; every other one is
        still rendered.

    Raises
    ------
    ConfigError
        The folder has no configs, or ``gallery.yaml`` is invalid (nothing is rendered).
    OutputError
        The output folder or the manifest cannot be written.
    """
    out = Path(out_dir)
    items, layout = _scan(config_dir, format)
    format_version = renderer_version()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out}: cannot create the folder ({os_reason(error, out)})"
                          ) from None
    ours = [README_NAME, MANIFEST_NAME,
            *(f"{item.name}{f.suffix}" for item in items for f in FORMATS.values())]
    remove_stale_temps(out, ours)
    limits = {"max_frames": max_frames, "max_pixels": max_pixels}
    try:
        return _build(items, layout, out, format, format_version, jobs, force, on_start,
                      on_done, {key: value for key, value in limits.items()
                                if value is not None})
    finally:  # interrupted or not: what killed workers left behind goes
        remove_stale_temps(out, ours)


def _build(items: list[Item], layout: GalleryPlan, out: Path, format: str, format_version: int,
           jobs: int | None, force: bool, on_start: Callable[[int], None] | None,
           on_done: Callable[[str, str | None], None] | None, limits: Mapping[str, int]
           ) -> GalleryReport:
    report = GalleryReport(out)
    records = read_manifest(out)
    wanted = {item.output for item in items}
    for gone in sorted(set(records) - wanted):  # a config was deleted: so is its output
        (out / gone).unlink(missing_ok=True)
        del records[gone]
        report.removed.append(gone)
    if report.removed:
        write_manifest(out, records)

    todo: list[tuple[Item, Path]] = []
    for item in items:
        if item.error is not None:
            report.failed.append((item.name, item.error))
        elif force or stale_reason(item, records.get(item.output), out, format_version):
            todo.append((item, out / item.output))
        else:
            report.up_to_date.append(item.name)

    if on_start is not None:
        on_start(len(todo))
    renders = run_renders(todo, default_jobs() if jobs is None else jobs, limits)
    known: dict[str, Size] = {}
    with contextlib.closing(renders):  # an interrupt stops the workers at once
        for item, digest, error, size in renders:
            _record(report, records, out, item, digest, error, format_version)
            if size is not None:
                known[item.name] = size
            if on_done is not None:
                on_done(item.name, error)

    readme = readme_text(layout, _titles(items), format=format,
                         sizes=_sizes(items, known)).encode("utf-8")
    if _read_bytes(out / README_NAME) != readme:
        write_atomic(out / README_NAME, readme)
        report.readme_written = True
    report.rendered.sort()
    report.failed.sort()
    return report


def _record(report: GalleryReport, records: dict[str, dict[str, Any]], out: Path, item: Item,
            digest: str | None, error: str | None, format_version: int) -> None:
    """Note one finished render in the report and, when it succeeded, in the manifest."""
    if error is None:
        records[item.output] = {"config": item.path.name, "config_sha256": item.sha256,
                                "format_version": format_version, "output_sha256": digest}
        write_manifest(out, records)  # after each render: a rerun resumes from here
        report.rendered.append(item.name)
    else:
        prefix = str(item.path)
        report.failed.append((item.name, error if error.startswith(prefix)
                              else f"{prefix}: {error}"))


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def check_gallery(config_dir: str | Path = "configs", out_dir: str | Path = "gallery", *,
                  format: str = "gif") -> list[Problem]:
    """What :func:`build_gallery` would change, without rendering anything.

    Every output that is missing or stale (its config, the render format or its bytes
    changed since the manifest recorded it), every config that cannot be loaded, every
    output whose config is gone, and a ``README.md`` that differs from what would be
    written. An empty list means the gallery is up to date.
    """
    out = Path(out_dir)
    items, layout = _scan(config_dir, format)
    format_version = renderer_version()
    records = read_manifest(out)
    problems = []
    suffix = f".{format}"
    others = sorted({Path(name).suffix for name in records} - {suffix})
    if records and not any(name.endswith(suffix) for name in records):
        # a gallery of another format: say so once, not "missing" for every output
        return [Problem(out, f"holds {', '.join(s.lstrip('.') for s in others)} outputs, not "
                             f"{format}: check it with --format "
                             f"{others[0].lstrip('.')}, or render it with gallery --format "
                             f"{format}")]
    for item in items:
        if item.error is not None:
            problems.append(Problem(out / item.output, f"cannot be rendered: {item.error}"))
            continue
        reason = stale_reason(item, records.get(item.output), out, format_version)
        if reason:
            problems.append(Problem(out / item.output, reason))
    wanted = {item.output for item in items}
    problems += [Problem(out / gone, "its config is gone")
                 for gone in sorted(set(records) - wanted)]
    readme = _read_bytes(out / README_NAME)
    if readme is None:
        problems.append(Problem(out / README_NAME, "missing"))
    elif readme != readme_text(layout, _titles(items), format=format,
                               sizes=_sizes(items)).encode("utf-8"):
        problems.append(Problem(out / README_NAME, "differs from what would be written"))
    return problems
