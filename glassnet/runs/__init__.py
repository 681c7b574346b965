"""Runs: the application that ``glassnet train``, the playground and the notebooks share.

A :class:`RunConfig` names the data, the network and the training; :func:`run`
turns it into a trained network and a run folder (model, checkpoint, metrics,
history, pictures, report) and returns a :class:`RunResult`; :func:`resume`
continues a run from its checkpoint. :func:`prepare` and :func:`build_network`
are the steps that every tool building a network from data goes through.
"""

from .config import ConfigError, RunConfig
from .prepare import Prepared, build_network, load_data, prepare
from .service import FolderNotEmpty, RunExists, RunInterrupted, RunResult, default_folder, resume, run

__all__ = [
    "ConfigError",
    "FolderNotEmpty",
    "Prepared",
    "RunConfig",
    "RunExists",
    "RunInterrupted",
    "RunResult",
    "build_network",
    "default_folder",
    "load_data",
    "prepare",
    "resume",
    "run",
]
