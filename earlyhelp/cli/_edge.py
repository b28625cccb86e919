"""Show an EarlyHelpError once, at the edge, and exit with its code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from earlyhelp.errors import EarlyHelpError

_err = Console(stderr=True)


@contextmanager
def shown_errors() -> Iterator[None]:
    try:
        yield
    except EarlyHelpError as exc:
        _err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exc.exit_code) from None

