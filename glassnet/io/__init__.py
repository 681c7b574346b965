"""Files: written atomically, read safely.

- :mod:`glassnet.io.files`: :func:`atomic_write` (and JSON and PNG through it);
- :mod:`glassnet.io.models`: :func:`save`, :func:`load`, :func:`load_saved` for a
  Network or a fitted estimator, with its standardizer, in one checked ``.npz`` file;
- :mod:`glassnet.io.checkpoints`: :func:`save_checkpoint`, :func:`load_checkpoint`;
- :mod:`glassnet.io.onnx`: export to ONNX.

``glassnet.persistence`` is this package under the name it had before.
"""

from ._container import FORMAT_VERSION, read_metadata
from .checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from .files import atomic_write
from .models import SavedModel, load, load_saved, save

__all__ = [
    "FORMAT_VERSION",
    "SavedModel",
    "Checkpoint",
    "atomic_write",
    "save",
    "load",
    "load_saved",
    "save_checkpoint",
    "load_checkpoint",
    "read_metadata",
]
