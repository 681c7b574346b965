"""The playground's web server: a Starlette app of JSON routes, one event stream, and the page.

Every route but the page and ``POST /api/session`` names its session with the
``X-Session`` header (or a ``session`` query parameter, for downloads); the
page keeps that id per browser tab. Requests are JSON objects of at most
``limits.max_body`` bytes (413 beyond), and every refusal is JSON,
``{"error": "…"}``, with a message that names the problem (400 for bad input,
404 for an unknown session, 409 for an action that needs a paused network).

``POST /api/run`` answers with a stream of server-sent events: a ``frame``
about ten times a second while the network trains, then ``stopped``. Training
runs only while that stream is open: Pause, a newer Run, the epoch bound of
the request, or the page going away (the stream closes) stop it.

Run it with ``glassnet play`` (see :func:`serve`), or mount :func:`create_app`.
"""

from __future__ import annotations

import json
import socket
import threading
import webbrowser
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import mathviews
from .config import Limits, SetupError, check_epochs, check_number
from .datasets import csv_points
from .export import model_info, npz_bytes, onnx_bytes, python_code
from .sessions import SessionStore

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from .sessions import Session

T = TypeVar("T")
Endpoint = Callable[["Request"], Awaitable[Response]]

STATIC = Path(__file__).parent / "static"
FRAME_SECONDS = 0.08
"""Training time between two frames of the stream."""
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


# --------------------------------------------------------------------------- request helpers


def _error(message: object, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": str(message)}, status_code=status, headers=SECURITY_HEADERS)


def _ok(data: object) -> Response:
    return Response(
        json.dumps(data, allow_nan=False), media_type="application/json", headers=SECURITY_HEADERS
    )


async def _body(request: Request, limits: Limits) -> dict[str, Any]:
    """The request's JSON object (``{}`` for an empty body); 413 past ``limits.max_body`` bytes."""
    declared = request.headers.get("content-length", "")
    too_big = SetupError(f"the request body is larger than {limits.max_body} bytes", status=413)
    if declared.isdigit() and int(declared) > limits.max_body:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limits.max_body:
            raise too_big
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SetupError(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SetupError(f"the request body must be a JSON object, got {type(data).__name__}")
    return data


@overload
def _number(
    body: Mapping[str, Any], key: str, default: float, low: float, high: float, integer: Literal[True]
) -> int: ...
@overload
def _number(
    body: Mapping[str, Any],
    key: str,
    default: float,
    low: float,
    high: float,
    integer: Literal[False] = False,
) -> float: ...


def _number(
    body: Mapping[str, Any], key: str, default: float, low: float, high: float, integer: bool = False
) -> int | float:
    return check_number(body.get(key, default), key, low, high, integer)


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, allow_nan=False)}\n\n"


# --------------------------------------------------------------------------- the routes


def api(handler: Callable[..., Awaitable[Response]], session: bool = True, body: bool = False) -> Endpoint:
    """A route from ``handler(request, [session], [body])``: refusals become JSON errors."""

    async def endpoint(request: Request) -> Response:
        try:
            args: list[Any] = []
            if session:
                sid = request.headers.get("x-session") or request.query_params.get("session")
                args.append(request.app.state.store.get(sid))
            if body:
                args.append(await _body(request, request.app.state.limits))
            return await handler(request, *args)
        except SetupError as exc:
            return _error(exc, exc.status)
        except ValueError as exc:
            return _error(exc)

    return endpoint


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a worker thread (NumPy and the session lock must not block the server)."""
    return await anyio.to_thread.run_sync(fn, *args)


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)


async def new_session(request: Request, body: dict[str, Any]) -> Response:
    session = request.app.state.store.create()
    if body.get("config"):
        try:
            return _ok(await in_thread(session.configure, body["config"]))
        except ValueError as exc:  # a bad link: the session stays, with its defaults
            return _ok({**session.state(), "message": f"the link's setup was refused: {exc}"})
    return _ok(session.state())


async def state(request: Request, session: Session) -> Response:
    return _ok(session.state())


async def setup(request: Request, session: Session, body: dict[str, Any]) -> Response:
    if set(body.get("config", {})) - _LIVE_KEYS:  # a new network: a run on the old one stops
        session.stop_run()
    return _ok(await in_thread(session.configure, body.get("config", {})))


async def reset(request: Request, session: Session, body: dict[str, Any]) -> Response:
    session.stop_run()
    return _ok(await in_thread(session.reset))


async def regenerate(request: Request, session: Session, body: dict[str, Any]) -> Response:
    session.stop_run()
    return _ok(await in_thread(session.regenerate))


async def pause(request: Request, session: Session, body: dict[str, Any]) -> Response:
    session.stop_run()
    return _ok(session.state())


async def step(request: Request, session: Session, body: dict[str, Any]) -> Response:
    point = body.get("point")
    return _ok(
        await in_thread(session.step_batch) if point is None else await in_thread(session.step_point, point)
    )


async def weight(request: Request, session: Session, body: dict[str, Any]) -> Response:
    return _ok(session.set_weight(body.get("layer"), body.get("unit"), body.get("source"), body.get("value")))


async def neuron(request: Request, session: Session, body: dict[str, Any]) -> Response:
    return _ok(session.neuron(body.get("layer"), body.get("unit"), body.get("point")))


async def upload_csv(request: Request, session: Session, body: dict[str, Any]) -> Response:
    limits = request.app.state.limits
    X, y, info = await in_thread(csv_points, body.get("text"), limits.max_csv_rows)
    return _ok(session.set_csv(X, y, info))


async def weights(request: Request, session: Session) -> Response:
    return _ok(session.weights())


async def points(request: Request, session: Session) -> Response:
    return _ok(session.points())


async def run(request: Request, session: Session, body: dict[str, Any]) -> Response:
    """Train while the stream is open: a ``frame`` event every ``FRAME_SECONDS``, then ``stopped``."""
    epochs = check_epochs(body.get("epochs"), request.app.state.limits)
    token = session.start_run()
    first = session.epoch

    async def events() -> AsyncIterator[str]:
        try:
            yield _sse("frame", session.frame())
            while session.epoch - first < epochs:
                frame = await in_thread(
                    session.train_for, token, FRAME_SECONDS, epochs - (session.epoch - first)
                )
                if frame is None:
                    break
                yield _sse("frame", frame)
                if not frame["running"]:
                    break
            session.stop_run(token)
            yield _sse("stopped", session.frame())
        finally:  # also when the page went away and the stream was closed
            session.stop_run(token)

    return StreamingResponse(events(), media_type="text/event-stream", headers=SECURITY_HEADERS)


async def descent(request: Request, body: dict[str, Any]) -> Response:
    limits = request.app.state.limits
    formula = body.get("formula", "")
    if not isinstance(formula, str) or len(formula) > limits.max_formula:
        raise SetupError(f"the formula must be text of at most {limits.max_formula} characters")
    start = body.get("start", [2.0, 1.5])
    if not isinstance(start, list) or len(start) != 2:
        raise SetupError(f"start must be two numbers [x, y], got {start!r}")
    args = (
        formula,
        [check_number(v, "start", -1e3, 1e3) for v in start],
        _number(body, "lr", 0.1, 1e-6, 10),
        _number(body, "steps", 50, 1, limits.max_descent_steps, integer=True),
        _number(body, "range", 3.0, 0.1, 1e3),
    )
    try:
        return _ok(await in_thread(lambda: mathviews.descent_view(*args, seconds=limits.formula_seconds)))
    except mathviews.FormulaError as exc:
        return _error(exc)


async def explain(request: Request, body: dict[str, Any]) -> Response:
    most = request.app.state.limits.max_explainer_steps
    params: dict[str, Any] = {
        "beta": _number(body, "beta", 0.9, 0, 0.999),
        "noise": _number(body, "noise", 0.5, 0, 5),
        "n": _number(body, "n", 100, 2, most, integer=True),
        "seed": _number(body, "seed", 0, 0, 2**31 - 1, integer=True),
        "lr": _number(body, "lr", 0.45, 1e-4, 2),
        "momentum": _number(body, "momentum", 0.6, 0, 0.999),
        "adam_lr": _number(body, "adam_lr", 0.3, 1e-4, 5),
        "beta1": _number(body, "beta1", 0.9, 0, 0.999),
        "beta2": _number(body, "beta2", 0.999, 0, 0.9999),
        "steps": _number(body, "steps", 30, 1, most, integer=True),
    }
    return _ok(await in_thread(lambda: mathviews.explainer(**params)))


async def export_npz(request: Request, session: Session) -> Response:
    """The model as glassnet ``.npz``; ``?which=before_step``: the weights the last traced step started from."""
    before = request.query_params.get("which") == "before_step"
    with session.lock:  # checked under the lock, where no reset can clear before_step in between
        source = session.before_step if before else session.net
        if source is None:
            raise SetupError("no traced step yet: click a training point and press Step")
        net = source.copy()
        info = model_info(session)
    name = "playground-step.npz" if before else "playground.npz"
    return Response(
        await in_thread(npz_bytes, net, info),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def export_onnx(request: Request, session: Session) -> Response:
    """The model as ONNX (features in, ``label`` and ``probabilities`` or ``variable`` out)."""
    with session.lock:
        net = session.net.copy()
    try:
        data = await in_thread(onnx_bytes, net)
    except ModuleNotFoundError:
        raise SetupError(
            "ONNX export needs the onnx extra: pip install 'glassnet[onnx]'", status=501
        ) from None
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="playground.onnx"'},
    )


async def export_python(request: Request, session: Session) -> Response:
    with session.lock:
        code = python_code(session)
    return Response(
        code,
        media_type="text/x-python; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="playground.py"'},
    )


async def not_found(request: Request, session: Session) -> Response:
    raise SetupError(f"no such route: {request.url.path}; exports are npz, onnx and python", status=404)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    from glassnet.glass import _sympy_worker  # formulas' gradients come from its process

    threading.Thread(target=_sympy_worker.start, daemon=True).start()
    yield


ROUTES: list[tuple[str, Callable[..., Awaitable[Response]], str, bool, bool]] = [
    ("/api/session", new_session, "POST", False, True),
    ("/api/state", state, "GET", True, False),
    ("/api/weights", weights, "GET", True, False),
    ("/api/points", points, "GET", True, False),
    ("/api/export/npz", export_npz, "GET", True, False),
    ("/api/export/onnx", export_onnx, "GET", True, False),
    ("/api/export/python", export_python, "GET", True, False),
    ("/api/export/{kind}", not_found, "GET", True, False),
    ("/api/setup", setup, "POST", True, True),
    ("/api/run", run, "POST", True, True),
    ("/api/pause", pause, "POST", True, True),
    ("/api/step", step, "POST", True, True),
    ("/api/reset", reset, "POST", True, True),
    ("/api/regenerate", regenerate, "POST", True, True),
    ("/api/weight", weight, "POST", True, True),
    ("/api/neuron", neuron, "POST", True, True),
    ("/api/csv", upload_csv, "POST", True, True),
    ("/api/descent", descent, "POST", False, True),
    ("/api/explain", explain, "POST", False, True),
]
"""``(path, handler, method, needs a session, reads a JSON body)`` of every API route."""


def create_app(limits: Limits | None = None, allowed_hosts: Sequence[str] | None = None) -> Starlette:
    """The playground as a Starlette app.

    Parameters
    ----------
    limits : Limits, optional
        The bounds of every request (TensorFlow Playground's by default).
    allowed_hosts : list of str, optional
        ``Host`` headers to answer (the server's own names, against DNS
        rebinding); all when None.
    """
    routes: list[BaseRoute] = [Route("/", page)]
    routes += [
        Route(path, api(handler, session, body), methods=[method])
        for path, handler, method, session, body in ROUTES
    ]
    routes.append(Mount("/static", StaticFiles(directory=STATIC)))
    middleware = (
        [] if allowed_hosts is None else [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)]
    )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.limits = limits or Limits()
    app.state.store = SessionStore(app.state.limits)
    return app


_LIVE_KEYS = {
    "lr",
    "optimizer",
    "momentum",
    "beta1",
    "beta2",
    "regularization",
    "reg_rate",
    "dropout",
    "batch_size",
}
"""Settings that can change while the network trains (the others rebuild it, so they stop a run)."""


# --------------------------------------------------------------------------- serving


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == 98 or "in use" in str(exc).lower():
            raise ValueError(
                f"port {port} on {host} is in use; choose another with --port N, "
                "or --port 0 for any free port"
            ) from None
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = True,
    echo: Callable[[str], object] = print,
    limits: Limits | None = None,
) -> None:
    """Serve the playground until Ctrl+C: print its address and open it in a browser."""
    import uvicorn

    sock = _bind(host, port)
    port = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    loopback = host in ("127.0.0.1", "localhost")  # (the Host check cannot read IPv6 addresses)
    app = create_app(limits, allowed_hosts=["127.0.0.1", "localhost"] if loopback else None)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    echo(f"glassnet playground at {url}  (Ctrl+C stops it)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
