"""``glassnet play``: the playground, served on this computer and opened in a browser."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import Failure, UsageError, app, console, note


@app.command()
def play(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to serve on (0: any free port).")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on (only this computer by default).")
    ] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
) -> None:
    """Open the playground: train networks in a browser and see their mathematics."""
    if not host.strip():
        raise UsageError(
            "--host needs an address, such as 127.0.0.1 (an empty one listens on every interface)"
        )
    if not _is_loopback(host):
        note(f"warning: --host {host}: the playground is reachable from other machines, not only this one")
    try:
        from ..play.server import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("starlette", "uvicorn", "anyio"):
            raise
        raise Failure("the playground needs the play extra: pip install 'glassnet[play]'") from None
    serve(host=host, port=port, open_browser=not no_browser, echo=console.print)


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (127.x, ::1, localhost)."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False
