"""deconv-anim: animations of 2-D convolution and transposed convolution.

The public API, in the order data flows:

>>> import deconv_anim as da
>>> spec = da.make_spec(op="transposed", size=2, kernel=3, output_size=4)
>>> spec.output_size
(4, 4)
>>> t = da.trace(spec)
>>> len(t), t.output.shape
(16, (4, 4))
>>> config = da.config_from_mapping({"op": "transposed", "size": 2, "kernel": 3})
>>> import tempfile, pathlib
>>> da.render_config(config, pathlib.Path(tempfile.mkdtemp()) / "up.gif").frames
16

Names are imported lazily, so ``deconv-anim --help`` starts without NumPy.
(``render_config`` is :func:`deconv_anim.render.render`; the module ``deconv_anim.render``
holds it.)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
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
    "render_config": "render",
    "RenderResult": "render",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deconv_anim' has no attribute {name!r}")
    target = "render" if name == "render_config" else name
    value = getattr(importlib.import_module(f".{module}", __name__), target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
