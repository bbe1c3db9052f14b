"""Test options: ``--runslow`` runs the tests marked ``slow`` (every format for every
reference config); without it they are skipped. ``.ci/run`` runs them."""

from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import pytest
from hypothesis import settings

from deconv_anim.errors import OutputError

# Hypothesis's deadline (200 ms an example) is a wall clock: on a loaded machine, beside a
# second pytest-xdist worker, an example of 0.25 ms once took 504 ms and failed the suite.
# What must be fast is checked in CPU time by the tests that care; the deadline is off.
settings.register_profile("deconv-anim", deadline=None)
settings.load_profile("deconv-anim")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """A fresh temporary folder as the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in ``deconv_anim.animation``: writes bytes that depend on the config."""
    module = types.ModuleType("deconv_anim.animation")
    module.FORMAT_VERSION = 1  # type: ignore[attr-defined]
    module.calls = []  # type: ignore[attr-defined]
    module.fail_on = set()  # type: ignore[attr-defined]

    def render(config, path, **limits):
        module.calls.append(config.name)
        if config.name in module.fail_on:
            raise OutputError(f"{path}: the fake renderer refuses")
        data = b"GIF89a" + repr((config.spec.input_size, config.render.title,
                                 module.FORMAT_VERSION)).encode()
        path.write_bytes(data)
        return SimpleNamespace(path=path, frames=config.spec.frames, bytes=len(data))

    module.render = render  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "deconv_anim.animation", module)
    return module


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIF ranges of 1 to 3 frames (:mod:`deconv_anim.gif_parallel`): many starts mid-way,
    in both processes."""
    from deconv_anim import gif_parallel

    monkeypatch.setattr(gif_parallel, "MIN_RANGE", 1)
    monkeypatch.setattr(gif_parallel, "MAX_RANGE", 3)
