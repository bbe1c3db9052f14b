"""Snippets that show a rendered file in Markdown, HTML or reStructuredText, and the alt
text they carry (``deconv-anim render --embed md|html|rst``).

Images (GIF, APNG, WebP, SVG) are ``<img>``/``![]()``/``.. image::``; a video format of
:data:`deconv_anim.formats.FORMATS` (MP4) is a muted, looping, autoplaying ``<video>`` (raw
HTML in Markdown and reStructuredText); the HTML player (``.html``), a page, is a link.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .formats import FORMATS

__all__ = ["KINDS", "snippet", "alt_text", "code_block"]

KINDS = ("md", "html", "rst")


def alt_text(config: Any) -> str:
    """What an animation shows, in words: the op, its shapes and the frame count.

    Examples
    --------
    >>> from deconv_anim import config_from_mapping
    >>> alt_text(config_from_mapping({"op": "transposed", "size": 3, "kernel": 3,
    ...                               "stride": 2, "padding": 1}))
    'Transposed convolution: 3x3 input, 3x3 kernel, stride 2, padding 1 -> 5x5 output, 26 frames'
    """
    from .report import summary

    if config.stages:  # a chain: each stage, then the frames of all
        return (f"A chain of {len(config.stages)} ops: "
                + "; then ".join(summary(spec) for spec in config.stages)
                + f", {config.frames} frames")
    return summary(config.spec, frames=True)


def _video(src: str, alt: str, size: tuple[int, int] | None, width: str | None) -> str:
    attrs = [f'src="{html.escape(src)}"']
    if width:
        attrs.append(f'width="{html.escape(width)}"')
    elif size:
        attrs.append(f'width="{size[0]}" height="{size[1]}"')
    attrs.append(f'title="{html.escape(alt)}" aria-label="{html.escape(alt)}"')
    return f"<video {' '.join(attrs)} autoplay loop muted playsinline></video>"


def _img(src: str, alt: str, size: tuple[int, int] | None, width: str | None) -> str:
    attrs = [f'src="{html.escape(src)}"', f'alt="{html.escape(alt)}"']
    if width:
        attrs.append(f'width="{html.escape(width)}"')
    elif size:
        attrs.append(f'width="{size[0]}" height="{size[1]}"')
    return f"<img {' '.join(attrs)}>"


def _page_link(src: str, alt: str, kind: str) -> str:
    """A link to a page (the HTML player): pages cannot be images."""
    if kind == "html":
        return f'<a href="{html.escape(src)}">{html.escape(alt)}</a>'
    if kind == "md":
        label = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"[{label}](<{src}>)" if " " in src else f"[{label}]({src})"
    return f"`{alt} <{src}>`__"


def snippet(path: str | Path, kind: str, *, alt: str, size: tuple[int, int] | None = None,
            width: str | None = None) -> str:
    """A ``kind`` (md, html or rst) snippet showing the file at ``path``.

    ``size`` is the natural (width, height) in pixels; ``width`` (e.g. ``"300"`` or
    ``"50%"``) scales it instead.

    Examples
    --------
    >>> print(snippet("figs/up.gif", "md", alt="Transposed [conv]"))
    ![Transposed \\[conv\\]](figs/up.gif)
    >>> print(snippet("up.svg", "rst", alt="Up", width="50%"))
    .. image:: up.svg
       :alt: Up
       :width: 50%
    >>> print(snippet("up.html", "md", alt="Up"))
    [Up](up.html)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    src = Path(path).as_posix()
    suffix = Path(path).suffix.lower()
    if any(f.mime == "text/html" and f.suffix == suffix for f in FORMATS.values()):
        return _page_link(src, alt, kind)  # the player is a page: link to it
    video = any(f.video and f.suffix == suffix for f in FORMATS.values())
    tag = (_video if video else _img)(src, alt, size, width)
    if kind == "html" or (kind == "md" and video):
        return tag
    if kind == "md":
        label = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        target = f"<{src}>" if " " in src else src
        return f"![{label}]({target})"
    if video:
        return f".. raw:: html\n\n   {tag}"
    lines = [f".. image:: {src}", f"   :alt: {alt}"]
    if width:
        lines.append(f"   :width: {width}")
    return "\n".join(lines)


def code_block(code: str, kind: str) -> str:
    """``code`` (a Python snippet, such as ``deconv-anim info --code torch`` prints) as a
    ``kind`` (md, html or rst) code block, to go under the figure.

    Examples
    --------
    >>> print(code_block("print(1 < 2)", "html"))
    <pre><code class="language-python">print(1 &lt; 2)</code></pre>
    >>> print(code_block("x = 1", "rst"))
    .. code-block:: python
    <BLANKLINE>
       x = 1
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    code = code.rstrip("\n")
    if kind == "md":
        fence = "```"
        while fence in code:
            fence += "`"
        return f"{fence}python\n{code}\n{fence}"
    if kind == "html":
        return f'<pre><code class="language-python">{html.escape(code, quote=False)}</code></pre>'
    body = "\n".join(f"   {line}" if line else "" for line in code.split("\n"))
    return f".. code-block:: python\n\n{body}"
