"""The ``glassnet`` command: train, evaluate, predict, trace, check and plot from a shell.

Each subcommand is a thin layer over the library: it parses the options, calls
the functions a Python user would call, and prints the result with Rich. Run
``glassnet --help`` (or ``python -m glassnet --help``) for the list, and
``glassnet COMMAND --help`` for each command's options.

Errors a user can make -- a missing file, an unknown dataset or activation, a
malformed number, anything the library rejects with a ``ValueError`` -- end the
command with one red line ``error: …`` on stderr and a non-zero exit status
(2 for a misused command line, 1 otherwise), never with a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

import typer
from rich.text import Text

from .common import Failure, UsageError, app, err_console

# Each module registers its commands on the app; `glassnet --help` lists them in this order.
for _module in ("train", "models", "learn", "experiment", "plot", "play"):
    importlib.import_module(f"{__name__}.{_module}")

from .experiment import expand_multi_values  # noqa: E402 - after the commands, to keep their order


def _error(message: object, code: int, most: int = 400) -> int:
    text = " ".join(str(message).split()) or "unknown error"
    if len(text) > most:  # a message quoting a huge input stays one readable line
        text = text[: most - 1] + "…"
    err_console.print(Text(f"error: {text}", style="red"), soft_wrap=True)
    return code


def _os_message(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the ``glassnet`` command (``argv`` defaults to ``sys.argv[1:]``) and exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=expand_multi_values(args), prog_name="glassnet", standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors (exit 2) and other click errors
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: show its help
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path.split()[1:] if ctx else []
            code = app(args=[*path, "--help"], prog_name="glassnet", standalone_mode=False)
        else:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            code = _error(exc.format_message() + hint, getattr(exc, "exit_code", 1))
    except UsageError as exc:
        code = _error(exc, 2)
    except Failure as exc:
        code = _error(exc, 1)
    except FileNotFoundError as exc:
        code = _error(_os_message(exc) if exc.strerror else exc, 1)
    except (ValueError, OSError) as exc:
        code = _error(_os_message(exc) if isinstance(exc, OSError) else exc, 1)
    except (typer.Abort, KeyboardInterrupt):
        code = _error("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)
