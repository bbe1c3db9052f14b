"""The old name of :mod:`deconv_anim.animation`, kept for code that imports from it
(``from deconv_anim.render import prepare``); new code imports from
:mod:`deconv_anim.animation`.

Importing it does not change ``deconv_anim.render``: that stays the function
:func:`deconv_anim.animation.render` (the package keeps it, see ``deconv_anim/__init__``),
so ``import deconv_anim.render as m`` binds the function too; use ``from`` imports.
"""

from __future__ import annotations

from .animation import (
    FORMAT_VERSION,
    MAX_FRAMES,
    MAX_PIXELS,
    Animation,
    RenderResult,
    animate,
    look_of,
    prepare,
    render,
    render_config,
)

__all__ = ["FORMAT_VERSION", "MAX_FRAMES", "MAX_PIXELS", "Animation", "RenderResult",
           "animate", "look_of", "prepare", "render", "render_config"]
