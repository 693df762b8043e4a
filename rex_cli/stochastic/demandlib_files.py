"""Where the real data live: the data files shipped by the ``demandlib`` package.

Rex reads demandlib's **files** (BDEW standard load profiles, DWD test reference years)
and never calls its code (its ``ElecSlp`` fails under pandas 3.1). The files are
located with ``importlib.resources``; a missing package is one clear error.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from importlib.util import find_spec
from pathlib import Path

__all__ = ["MissingDataPackageError", "demandlib_file"]


class MissingDataPackageError(ImportError):
    """``demandlib`` (the source of Rex's real data) is not installed."""


_HINT = (
    "the real-data inputs (load=bdew, weather=try2010, wind=weather) read their files "
    "from the demandlib package, which is not installed: pip install 'demandlib>=0.2.2'"
)


def _root() -> Traversable:
    if find_spec("demandlib") is None:
        raise MissingDataPackageError(_HINT)
    try:
        return resources.files("demandlib")
    except Exception:  # its code failed to import: its files are still where they were
        spec = find_spec("demandlib")
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise MissingDataPackageError(_HINT) from None
        return Path(locations[0])


def demandlib_file(*parts: str) -> Traversable:
    """Return a data file of the installed demandlib, e.g. ``("bdew", "bdew_data", "h25.csv")``.

    Raises:
        MissingDataPackageError: demandlib is not installed.
        FileNotFoundError: The installed demandlib lacks the file (a version too old).
    """
    node = _root()
    for part in parts:
        node = node / part
    if not node.is_file():
        raise FileNotFoundError(
            f"demandlib has no file {'/'.join(parts)}: install demandlib>=0.2.2"
        )
    return node
