"""Named configs that need no file: every config the project ships, by its file's stem.

The configs of the project's ``configs/`` folder are installed as package data (the
package ``deconv_anim.configs``, mapped onto that folder in ``pyproject.toml``), so
``--preset maxpool`` works from any install. :data:`PRESETS` reads them on first use; each
value is the config mapping exactly as its YAML file holds it. Among them are the 15
figures of Dumoulin & Visin (:data:`REFERENCE_NAMES`; a ``*_transposed`` figure is the
transposed op of the same numbers, whose input is the convolution's output) and the seed
article's examples.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["PRESETS", "REFERENCE_NAMES", "preset_folder"]

_PAIRED = ("no_padding_no_strides", "arbitrary_padding_no_strides", "same_padding_no_strides",
           "full_padding_no_strides", "no_padding_strides", "padding_strides",
           "padding_strides_odd")
REFERENCE_NAMES: tuple[str, ...] = (
    *(name + suffix for name in _PAIRED for suffix in ("", "_transposed")), "dilation")


def preset_folder() -> Path:
    """Where the shipped configs are: ``deconv_anim/configs`` in an install, the
    repository's ``configs/`` in a source checkout (an editable install)."""
    here = Path(__file__).parent
    installed, checkout = here / "configs", here.parents[1] / "configs"
    return installed if installed.is_dir() else checkout


class _Presets(Mapping[str, dict[str, Any]]):
    """The shipped configs by name, read on first use (``info`` starts without YAML)."""

    def __init__(self) -> None:
        self._loaded: dict[str, dict[str, Any]] | None = None

    def _all(self) -> dict[str, dict[str, Any]]:
        if self._loaded is None:
            from .yaml_files import read_yaml

            found = {}
            for path in sorted(preset_folder().glob("*.yaml")):
                mapping = read_yaml(path)
                if isinstance(mapping, dict) and {"op", "torch", "tf", "stages"} & mapping.keys():
                    found[path.stem] = mapping  # (gallery.yaml lays out the gallery)
            self._loaded = found
        return self._loaded

    def __getitem__(self, name: str) -> dict[str, Any]:
        if self._loaded is None:  # one preset: read its file only
            path = preset_folder() / f"{name}.yaml"
            if isinstance(name, str) and name.isidentifier() and path.is_file():
                from .yaml_files import read_yaml

                mapping = read_yaml(path)
                if isinstance(mapping, dict) and {"op", "torch", "tf", "stages"} & mapping.keys():
                    return mapping
            raise KeyError(name)
        return dict(self._all()[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


PRESETS: Mapping[str, dict[str, Any]] = _Presets()
