"""deconv-anim: animations of 2-D convolution and transposed convolution.

The public API, modelled on imageio v3 and ``matplotlib.animation``:

>>> import deconv_anim as da
>>> anim = da.animate("seed_transposed", values=True)  # a file, a preset, a mapping, a Config
>>> anim.info["output_size"], anim.step_count, anim.frame_count  # + the final frame
([4, 4], 16, 17)
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> anim.save(folder / "up.gif").frames
17
>>> da.render("seed_conv", folder / "conv.webp", style={"theme": "dark"}).frames
5

and, underneath, the numbers in the order data flows:

>>> spec = da.make_spec(op="transposed", size=2, kernel=3, output_size=4)
>>> spec.output_size
(4, 4)
>>> t = da.trace(spec)
>>> len(t), t.output.shape
(16, (4, 4))

Names are imported lazily, so ``deconv-anim --help`` starts without NumPy.
``da.render`` is always the function :func:`deconv_anim.animation.render`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "animate": "animation",
    "Animation": "animation",
    "render": "animation",
    "render_config": "animation",
    "RenderResult": "animation",
    "FORMAT_VERSION": "animation",
    "resolve_config": "config",
    "make_spec": "spec",
    "Spec": "spec",
    "load_config": "config",
    "config_from_mapping": "config",
    "Config": "config",
    "compute": "engine",
    "trace": "engine",
    "Trace": "engine",
    "Step": "engine",
    "PlaneStep": "engine",
    "ChannelTrace": "engine",
    "ConfigError": "errors",
    "DeconvAnimError": "errors",
    "PRESETS": "presets",
    "FORMATS": "formats",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deconv_anim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
