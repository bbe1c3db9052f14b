"""Test options: ``--runslow`` runs the tests marked ``slow`` (every format for every
reference config); without it they are skipped. ``.ci/run`` runs them."""

from __future__ import annotations

import pytest


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
