"""The output formats: one table, read by the writers, the command line, the gallery, the
embed snippets and the Sphinx directive.

=========  ==========  ==================  ========  ===========================
name       suffix      MIME                kind      backend
=========  ==========  ==================  ========  ===========================
``gif``    ``.gif``    ``image/gif``       bitmap    Pillow's LZW encoder
``png``    ``.png``    ``image/apng``      bitmap    zlib (animated PNG)
``webp``   ``.webp``   ``image/webp``      bitmap    Pillow
``mp4``    ``.mp4``    ``video/mp4``       bitmap    imageio-ffmpeg (``[video]``)
``svg``    ``.svg``    ``image/svg+xml``   vector    :mod:`deconv_anim.svg`
``html``   ``.html``   ``text/html``       vector    :mod:`deconv_anim.player`
=========  ==========  ==================  ========  ===========================

A bitmap format's writer receives frames of pixels; a vector format's is drawn from the
scene. Writers are named as ``module:function`` and imported only when a file is written
(as imageio's plugin table does), so this module imports nothing heavy: the command line
builds its ``--format`` choices from it at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError

__all__ = ["Format", "FORMATS", "FORMAT_NAMES", "SUFFIXES", "SHEET", "format_for",
           "format_named"]

Kind = Literal["bitmap", "vector"]


@dataclass(frozen=True)
class Format:
    """One output format.

    Attributes
    ----------
    name : str
        What ``--format`` and the gallery call it.
    suffix : str
        The file suffix that selects it (lower case, with the dot).
    mime : str
        Its media type, matched against what a Sphinx builder can show; an animated PNG is
        ``image/apng``, not the still ``image/png``.
    kind : {"bitmap", "vector"}
        A bitmap writer receives frames of pixels; a vector writer draws the scene.
    writer : str
        ``module:function`` of its writer, imported when first used.
    extra : str or None
        The ``pip install 'deconv-anim[EXTRA]'`` its backend needs, if any.
    video : bool
        Shown with a ``<video>`` tag rather than an ``<img>``.
    """

    name: str
    suffix: str
    mime: str
    kind: Kind
    writer: str
    extra: str | None = None
    video: bool = False

    @property
    def vector(self) -> bool:
        """Drawn from the scene, not from frames of pixels."""
        return self.kind == "vector"

    def load_writer(self) -> Callable[..., Any]:
        """The writer function (importing its module now)."""
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)


_ENCODE = "deconv_anim.encode"

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("gif", ".gif", "image/gif", "bitmap", f"{_ENCODE}:_write_gif"),
    Format("png", ".png", "image/apng", "bitmap", f"{_ENCODE}:_write_apng"),
    Format("webp", ".webp", "image/webp", "bitmap", f"{_ENCODE}:_write_webp"),
    Format("mp4", ".mp4", "video/mp4", "bitmap", f"{_ENCODE}:_write_mp4", extra="video",
           video=True),
    Format("svg", ".svg", "image/svg+xml", "vector", f"{_ENCODE}:_write_svg"),
    Format("html", ".html", "text/html", "vector", "deconv_anim.player:_write_html"),
)}
"""Every animation format by name; the first is the default."""

FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)
"""The names, in table order: ``('gif', 'png', 'webp', 'mp4', 'svg', 'html')``."""

SUFFIXES: tuple[str, ...] = tuple(f.suffix for f in FORMATS.values())

SHEET = Format("sheet", ".png", "image/png", "bitmap", f"{_ENCODE}:_write_sheet")
"""A still PNG: every frame in a grid (a contact sheet), or one frame."""


def format_for(path: str | Path) -> Format:
    """The :class:`Format` of ``path``'s suffix (case-insensitive).

    Raises
    ------
    ConfigError
        ``output: unknown file type ...`` for any other suffix.

    Examples
    --------
    >>> format_for("figs/UP.GIF").mime
    'image/gif'
    >>> format_for("up.jpg")
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: output: unknown file type '.jpg' of up.jpg \
(known: .gif, .png, .webp, .mp4, .svg, .html)
    """
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if fmt.suffix == suffix:
            return fmt
    raise ConfigError("output", f"unknown file type {suffix or '(no suffix)'!r} of {path} "
                                f"(known: {', '.join(SUFFIXES)})")


def format_named(name: str) -> Format:
    """The :class:`Format` called ``name`` (case-insensitive, a leading dot allowed).

    Examples
    --------
    >>> format_named("WebP").suffix
    '.webp'
    """
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        raise ConfigError("format", f"unknown format {name!r} (known: "
                                    f"{', '.join(FORMATS)})") from None
