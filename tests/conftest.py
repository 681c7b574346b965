"""Test-suite settings shared by every test module."""

import os
from dataclasses import dataclass

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread_per_worker():
    """Under pytest-xdist, pin BLAS to one thread per worker.

    Two workers on two cores each starting two OpenBLAS threads oversubscribe the
    machine; small matrix products then run many times slower (measured 30x).
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def resign():
    """``resign(path, mutate, out=None)``: rewrite a glassnet file as anyone can.

    ``mutate(meta, arrays)`` edits the parsed metadata and the arrays in place;
    the listing of the arrays and the SHA-256 checksum are then recomputed with
    glassnet's own ``_checksum`` (it has no key), unless ``relist=False`` keeps
    the listing as ``mutate`` left it. Returns the path written (``out`` or ``path``).
    """
    import json

    import numpy as np

    from glassnet.io import _container

    def rewrite(path, mutate, out=None, relist=True):
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("__glassnet__").tobytes())
        mutate(meta, arrays)
        if relist and isinstance(meta, dict):
            meta["arrays"] = {k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in arrays.items()}
        if isinstance(meta, dict):
            meta["checksum"] = {"algorithm": "sha256", "value": _container._checksum(meta, arrays)}
        arrays["__glassnet__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        out = path if out is None else out
        with open(out, "wb") as f:
            np.savez(f, **arrays)
        return out

    return rewrite


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    """``run("train", ...)``: the glassnet command in-process, in a fresh folder, as ``Result``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")

    from glassnet import cli

    def invoke(*args):
        with pytest.raises(SystemExit) as exc:
            cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(exc.value.code, out, err)

    invoke.tmp_path = tmp_path
    return invoke
