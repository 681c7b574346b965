"""SymPy's heavy work (derivatives, solving ∇f = 0) in a child process with a time limit.

A formula that parses is small (see :mod:`glassnet.glass.expressions`), but what
SymPy does with it need not be: ``sympy.solve`` on ``sin(x) + x**7`` or a
degree-60 polynomial can run for minutes, and the second derivative of a
product of 90 factors has over a million terms. No size rule decides in
advance which formulas are fast, so the work runs in a separate process that
is killed when it takes longer than :data:`TIME_LIMIT` seconds.

Why a process, and this kind of process:

- a thread cannot be stopped, and ``signal.alarm`` works only in the main
  thread, while the playground calls us from a server thread;
- ``multiprocessing`` with ``fork`` is unsafe in a process that runs threads,
  and ``spawn``/``forkserver`` re-import the caller's ``__main__`` script, which
  starts the learner's own unguarded script over again;
- so the child is a plain ``python -c`` process of our own code, started once
  and reused (SymPy is imported once, about half a second), replaced after a
  timeout. Calls from several threads take turns.

Only our own objects cross the pipe, pickled: the task function and the SymPy
expression the whitelist parser built, and the result the child computed. The
user's text never reaches the child.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

from .expressions import ExpressionError

if TYPE_CHECKING:
    from sympy import Basic

TIME_LIMIT = 5.0  # seconds a task may take before its process is killed
START_LIMIT = 60.0  # seconds to start the child and import SymPy
MAX_RESULT_NODES = 50_000  # a result larger than this is refused (printing it would take seconds)

_CHILD = "from glassnet.glass._sympy_worker import serve; serve()"
_lock = threading.Lock()
_worker: _Worker | None = None


class SymPyProcessError(OSError):
    """The helper process could not be started or stopped unexpectedly."""


def _send(stream: IO[bytes], data: bytes) -> None:
    stream.write(len(data).to_bytes(8, "big") + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    return stream.read(int.from_bytes(head, "big"))


class _Worker:
    """One child process and a thread that reads its replies into a queue."""

    def __init__(self) -> None:
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.pid = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.replies: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            ready = self.replies.get(timeout=START_LIMIT)
        except queue.Empty:
            ready = None
        if ready is None:
            self.stop()
            raise SymPyProcessError(f"could not start the SymPy helper process ({sys.executable})")

    def _read(self) -> None:
        assert self.process.stdout is not None  # opened with stdout=PIPE
        while (reply := _receive(self.process.stdout)) is not None:
            self.replies.put(reply)
        self.replies.put(None)

    def ask(self, request: bytes, timeout: float) -> bytes | None:
        """The child's reply to ``request``, or ``None`` if it died; ``queue.Empty`` on timeout."""
        assert self.process.stdin is not None  # opened with stdin=PIPE
        try:
            _send(self.process.stdin, request)
        except OSError:
            return None
        return self.replies.get(timeout=timeout)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def _stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None


atexit.register(_stop_worker)


_IN_CHILD = False  # set in the helper process itself, where tasks run directly


def in_child() -> bool:
    """Whether this process is the helper (its tasks must not start a helper of their own)."""
    return _IN_CHILD


def start() -> None:
    """Start the helper process now, so that the first formula does not wait for it
    (the playground calls this as its server starts; otherwise the first task does)."""
    global _worker
    with _lock:
        if _worker is None or _worker.pid != os.getpid() or _worker.process.poll() is not None:
            _worker = _Worker()


def run(task: Callable[..., Any], args: Sequence[Any], what: str, timeout: float | None = None) -> Any:
    """``task(*args)`` computed in the child, within ``timeout`` seconds (default :data:`TIME_LIMIT`).

    ``what`` completes the error message "SymPy could not {what} within N s".
    A ``ValueError`` raised by the task comes back as an :class:`ExpressionError`.
    """
    global _worker
    limit = TIME_LIMIT if timeout is None else float(timeout)
    if not limit > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    try:
        request = pickle.dumps((task, args))
    except Exception as exc:
        raise ValueError(
            f"this expression cannot be sent to SymPy's helper process ({type(exc).__name__})"
        ) from None
    if not _lock.acquire(timeout=limit):
        raise ExpressionError(f"SymPy could not {what} within {limit:g} s (it is busy with another formula)")
    try:
        if _worker is not None and (_worker.pid != os.getpid() or _worker.process.poll() is not None):
            _worker = None  # a forked copy of us, or a child that died: start afresh
        if _worker is None:
            _worker = _Worker()
        try:
            reply = _worker.ask(request, limit)
        except queue.Empty:
            _stop_worker()
            raise ExpressionError(f"SymPy could not {what} within {limit:g} s") from None
        except BaseException:  # interrupted: the child's late reply must not answer the next call
            _stop_worker()
            raise
        if reply is None:
            _stop_worker()
            raise ExpressionError(f"SymPy stopped while trying to {what} (out of memory?)")
    finally:
        _lock.release()
    status, value = pickle.loads(reply)  # our own child's bytes
    if status == "error":
        raise ExpressionError(value)
    return value


def check_size(expr: Basic, what: str = "the result") -> Basic:
    """Refuse a SymPy result of more than :data:`MAX_RESULT_NODES` nodes (called in the child)."""
    import sympy

    for count, _ in enumerate(sympy.preorder_traversal(expr), 1):
        if count > MAX_RESULT_NODES:
            raise ValueError(f"{what} is too large to show (more than {MAX_RESULT_NODES:,} terms)")
    return expr


def _watch_parent(parent: int) -> None:
    """Exit when the parent process is gone, even in the middle of a computation."""
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


MEMORY_LIMIT = 2 * 2**30
"""Bytes of address space the child may use: a formula whose algebra would need more gets a
MemoryError (one line to the user) instead of taking the machine's memory for 5 seconds."""


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows; the time limit still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve() -> None:
    """The child's loop: read ``(task, args)``, answer ``("ok", result)`` or ``("error", message)``."""
    import signal

    global _IN_CHILD
    _IN_CHILD = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_memory()
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the replies
    requests = sys.stdin.buffer
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    import sympy  # noqa: F401 - imported once, before the first task is timed

    import glassnet.glass.calculus  # noqa: F401 - the tasks live there

    _send(replies, pickle.dumps(("ready", None)))
    while (request := _receive(requests)) is not None:
        task, args = pickle.loads(request)  # our own parent's bytes: objects it built
        reply: tuple[str, Any]
        try:
            reply = ("ok", task(*args))
        except ValueError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", f"SymPy needed more than {MEMORY_LIMIT // 2**30} GiB for this formula")
        except Exception as exc:
            reply = ("error", f"SymPy failed on this formula ({type(exc).__name__})")
        try:
            data = pickle.dumps(reply)
        except Exception:
            data = pickle.dumps(("error", "SymPy's result could not be sent back"))
        _send(replies, data)
