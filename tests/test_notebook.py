"""docs/tour.ipynb runs top to bottom in a real kernel (nbclient + ipykernel) and each
``da.animate(...)`` cell displays the player as ``text/html`` (with its GIF fallback), no
``image/gif`` beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra (nbformat) is missing")
nbclient = pytest.importorskip("nbclient", reason="the test extra (nbclient) is missing")
pytest.importorskip("ipykernel", reason="the test extra (ipykernel) is missing")

TOUR = Path(__file__).parent.parent / "docs" / "tour.ipynb"


def test_the_tour_runs_and_shows_players(tmp_path):
    notebook = nbformat.read(TOUR, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    players = 0
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", output
            data = output.get("data", {})
            if "data-deconv-anim" in data.get("text/html", ""):
                players += 1
                assert set(data) <= {"text/html", "text/plain"}
                assert "<img data-fallback" in data["text/html"]
    assert players == 4
    last = code[-1].outputs[0]["data"]["text/plain"]
    assert last.startswith("(True, '<div data-deconv-anim")
