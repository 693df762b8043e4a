"""One-line errors on the command line; tracebacks only with ``--debug``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from rex_cli.config.load import ConfigError
from rex_cli.records.rundir import RunFolderError
from rex_cli.signals import Terminated, exit_code, terminate_as_interrupt

__all__ = [
    "allow_fast_exit",
    "fail",
    "fast_exit_allowed",
    "friendly_errors",
    "is_debug",
    "set_debug",
]

_STATE = {"debug": False, "fast_exit": False}

USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, RunFolderError, FileNotFoundError)


def set_debug(on: bool) -> None:
    """Remember whether ``--debug`` was given."""
    _STATE["debug"] = on


def is_debug() -> bool:
    """True when ``--debug`` was given."""
    return _STATE["debug"]


def allow_fast_exit() -> None:
    """Let an interrupt end the process at once (see ``main``).

    For commands holding a large heap in this process (``run``, ``verify``); not for
    sweeps, whose launcher cleans up its workers at exit.
    """
    _STATE["fast_exit"] = True


def fast_exit_allowed() -> bool:
    """Whether ``allow_fast_exit`` was called."""
    return _STATE["fast_exit"]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr (one line) and exit with ``code``."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


@contextmanager
def friendly_errors(on_error: Callable[[BaseException], None] | None = None) -> Iterator[None]:
    """Turn exceptions into one-line errors and a non-zero exit (unless ``--debug``).

    Bad input (config, folders, missing files) exits 2; anything else exits 1. An
    interrupt exits 130 (Ctrl-C) or 143 (SIGTERM, handled like Ctrl-C within the block).
    """
    try:
        with terminate_as_interrupt():
            yield
    except typer.Exit:
        raise
    except KeyboardInterrupt as exc:
        if on_error is not None:
            on_error(exc)
        how = " (SIGTERM)" if isinstance(exc, Terminated) else ""
        typer.echo(f"error: interrupted{how}", err=True)
        raise typer.Exit(exit_code(exc)) from None
    except USER_ERRORS as exc:
        if on_error is not None:
            on_error(exc)
        if is_debug():
            raise
        fail(str(exc), code=2)
    except Exception as exc:
        if on_error is not None:
            on_error(exc)
        if is_debug():
            raise
        if isinstance(exc, OSError) and exc.strerror:
            # e.g. a full disk: say what could not be written, not the exception class
            name = f": {exc.filename}" if exc.filename else ""
            fail(f"{exc.strerror}{name}", code=1)
        where = "" if is_debug() else " (run with --debug for the traceback)"
        typer.echo(f"error: {type(exc).__name__}: {' '.join(str(exc).split())}{where}", err=True)
        sys.stderr.flush()
        raise typer.Exit(1) from None
