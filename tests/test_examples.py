"""The tutorials in examples/: each notebook runs from top to bottom and its assert cells hold.

Every notebook checks the numbers it prints with plain ``assert`` cells, so a wrong number
fails here. They run in a fresh kernel of this Python (nbclient), on a copy: the stored
notebooks, with the outputs the documentation shows, are not rewritten (refresh them with
``jupyter nbconvert --to notebook --execute --inplace examples/*.ipynb``).
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_the_five_tutorials_of_the_seeds_are_there():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_calculus_and_descent",
        "02_neurons_by_hand",
        "03_backprop_by_hand",
        "04_xor_and_moons",
        "05_softmax_and_adam",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_tutorial_opens_with_what_it_teaches_and_is_stored_executed(path):
    nb = nbformat.read(path, as_version=4)
    opening = nb.cells[0].source
    assert opening.startswith("# ") and "**What this tutorial teaches.**" in opening
    assert "**glassnet calls used.**" in opening
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    # Stored as run top to bottom, so the documentation shows every output.
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not any(output.output_type == "error" for cell in code for output in cell.outputs)
    assert sum("assert " in cell.source for cell in code) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_tutorial_runs_and_its_numbers_hold(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, when an assert fails
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
