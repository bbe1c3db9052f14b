"""Shared by the gallery tests: small configs (the stand-in renderer is the ``fake_render``
fixture of conftest.py)."""

from __future__ import annotations

from pathlib import Path

SMALL = {
    "a_conv": "# a\ntitle: A conv\nop: conv\nsize: 3\nkernel: 2\n",
    "b_transposed": "# b\ntitle: B transposed\nop: transposed\nsize: 2\nkernel: 2\n",
    "c_untitled": "# c\nop: conv\nsize: [2, 3]\nkernel: [1, 2]\n",
}


def write_configs(folder: Path, configs: dict[str, str] = SMALL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in configs.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder
