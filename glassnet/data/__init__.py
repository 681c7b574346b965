"""Data: toy problems, bundled datasets, your own files, and the usual preparation.

- :mod:`glassnet.data.datasets`: the generators (xor, moons, circles, spirals, blobs,
  classification) and scikit-learn's bundled sets by name (:func:`load_dataset`);
- :mod:`glassnet.data.tables`: CSV and NPZ files (:func:`load_csv`, :func:`load_npz`,
  :func:`save_csv`);
- :mod:`glassnet.data.preprocessing`: :func:`train_test_split`, :class:`Standardizer`,
  :func:`standardize`, :func:`one_hot`.
"""

from .datasets import (
    GENERATORS,
    MAX_SAMPLES,
    SKLEARN_DATASETS,
    blobs,
    circles,
    classification,
    load_dataset,
    moons,
    spirals,
    xor,
)
from .preprocessing import Standardizer, from_one_hot, one_hot, standardize, train_test_split
from .tables import MAX_CSV_BYTES, MAX_CSV_CELLS, load_csv, load_npz, read_feature_rows, save_csv

__all__ = [
    "xor",
    "moons",
    "circles",
    "spirals",
    "blobs",
    "classification",
    "train_test_split",
    "Standardizer",
    "standardize",
    "one_hot",
    "from_one_hot",
    "load_dataset",
    "load_csv",
    "load_npz",
    "save_csv",
    "read_feature_rows",
    "GENERATORS",
    "SKLEARN_DATASETS",
    "MAX_SAMPLES",
    "MAX_CSV_BYTES",
    "MAX_CSV_CELLS",
]
