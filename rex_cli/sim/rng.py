"""The seed tree: every random stream of a run, derived from one seed by an explicit key.

A run owns all its randomness through one :class:`SeedTree`. A stream is asked for by a
*key*, a tuple of parts such as ``("wind", 3)`` (purpose ``"wind"``, client index 3), and
is derived as::

    np.random.SeedSequence(entropy=seed, spawn_key=spawn_key(key))

never with the stateful ``SeedSequence.spawn()``. The stream of a key therefore depends
only on the seed, the bit generator and the key itself: not on how many other streams were
asked for before, in which order, or in which process. This gives common random numbers:
adding an agent at the end of a population, or changing a market parameter, leaves every
other agent's draws unchanged.

Key parts:
    * ``int`` parts must lie in ``[0, 2**32)`` and are used as they are (client indices,
      replication numbers).
    * ``str`` parts (purposes such as ``"wind"``) are mapped to ``zlib.crc32(part.utf-8)``,
      which is stable across processes, platforms and Python versions (unlike ``hash()``,
      which is salted per process). A string part and an int part could in principle map
      to the same word; keep the purpose at a fixed position of the key (first) to avoid it.

Recommended purposes (:class:`Purpose`): ``wind``, ``load``, ``forecast``, ``arrivals``,
``market``, ``plant``, followed by the client index, e.g. ``tree.generator("forecast", 7)``.
Shared streams (e.g. the common wind factor) use a purpose of their own with no client
index, e.g. ``tree.generator("wind_common")``.
"""

from __future__ import annotations

import zlib
from enum import StrEnum
from typing import Any

import numpy as np

__all__ = ["BitGenerator", "KeyPart", "Purpose", "SeedTree", "key_part_to_int"]

KeyPart = int | str
"""One part of a stream key: a non-negative int below ``2**32`` or a string."""

_MAX_INT_PART = 2**32


class BitGenerator(StrEnum):
    """The numpy bit generators a run may use (``PCG64`` is numpy's default)."""

    PCG64 = "pcg64"
    PHILOX = "philox"
    SFC64 = "sfc64"
    MT19937 = "mt19937"


class Purpose(StrEnum):
    """Named purposes for the first part of a stream key."""

    WIND = "wind"
    LOAD = "load"
    FORECAST = "forecast"
    ARRIVALS = "arrivals"
    MARKET = "market"
    PLANT = "plant"


_BIT_GENERATORS: dict[BitGenerator, type[np.random.BitGenerator]] = {
    BitGenerator.PCG64: np.random.PCG64,
    BitGenerator.PHILOX: np.random.Philox,
    BitGenerator.SFC64: np.random.SFC64,
    BitGenerator.MT19937: np.random.MT19937,
}


def key_part_to_int(part: KeyPart) -> int:
    """Map one key part to the integer word used in the ``spawn_key``.

    Args:
        part: A non-negative int below ``2**32``, or a string.

    Returns:
        The int itself, or ``zlib.crc32`` of the UTF-8 encoding of the string.

    Raises:
        ValueError: If an int part is negative or too large, or the part is neither an
            int nor a string (bools are rejected as ambiguous).
    """
    if isinstance(part, bool):
        raise ValueError(f"key part must be an int or a str, got bool {part!r}")
    if isinstance(part, str):
        return zlib.crc32(part.encode("utf-8"))
    if isinstance(part, int | np.integer):
        value = int(part)
        if not 0 <= value < _MAX_INT_PART:
            raise ValueError(f"key part must be in [0, 2**32), got {value}")
        return value
    raise ValueError(f"key part must be an int or a str, got {type(part).__name__}")


class SeedTree:
    """One seed, many independent named streams (see the module docstring).

    Args:
        seed: Root seed, a non-negative int. ``None`` draws fresh OS entropy once; the
            entropy is then reported by :meth:`describe` so the run can be reproduced.
        bit_generator: Which numpy bit generator backs every stream.

    Example:
        >>> tree = SeedTree(42)
        >>> wind_rng = tree.generator("wind", 0)
        >>> float(wind_rng.random()) == float(SeedTree(42).generator("wind", 0).random())
        True
    """

    __slots__ = ("_bit_generator", "_entropy", "_keys_used", "_seed")

    def __init__(
        self, seed: int | None, bit_generator: BitGenerator | str = BitGenerator.PCG64
    ) -> None:
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise ValueError(f"seed must be a non-negative int, got {seed!r}")
            if seed < 0:
                raise ValueError(f"seed must be a non-negative int, got {seed}")
        try:
            self._bit_generator = BitGenerator(bit_generator)
        except ValueError:
            names = ", ".join(b.value for b in BitGenerator)
            raise ValueError(
                f"bit_generator must be one of {names}, got {bit_generator!r}"
            ) from None
        self._seed = None if seed is None else int(seed)
        entropy = np.random.SeedSequence(self._seed).entropy
        assert isinstance(entropy, int)
        self._entropy: int = entropy
        self._keys_used: dict[tuple[KeyPart, ...], None] = {}

    @property
    def seed(self) -> int | None:
        """The root seed as given (``None`` if OS entropy was drawn)."""
        return self._seed

    @property
    def entropy(self) -> int:
        """The root entropy actually used (equals ``seed`` when a seed was given)."""
        return self._entropy

    @property
    def bit_generator(self) -> BitGenerator:
        """The bit generator behind every stream."""
        return self._bit_generator

    @staticmethod
    def spawn_key(*key: KeyPart) -> tuple[int, ...]:
        """Return the explicit ``spawn_key`` for a stream key.

        Args:
            *key: One or more key parts (see the module docstring).

        Returns:
            A tuple of non-negative ints.

        Raises:
            ValueError: If the key is empty or a part is invalid.
        """
        if not key:
            raise ValueError("key must have at least one part, e.g. ('wind', 0)")
        return tuple(key_part_to_int(p) for p in key)

    def seed_sequence(self, *key: KeyPart) -> np.random.SeedSequence:
        """Return the ``SeedSequence`` of a key (recorded in :meth:`keys_used`).

        Args:
            *key: One or more key parts.

        Returns:
            ``SeedSequence(entropy=self.entropy, spawn_key=self.spawn_key(*key))``.
        """
        spawn_key = self.spawn_key(*key)
        self._keys_used.setdefault(tuple(key), None)
        return np.random.SeedSequence(entropy=self._entropy, spawn_key=spawn_key)

    def generator(self, *key: KeyPart) -> np.random.Generator:
        """Return a fresh generator for a key, at the start of its stream.

        Two calls with the same key return two generators producing the same numbers.

        Args:
            *key: One or more key parts, e.g. ``("forecast", 12)``.

        Returns:
            A ``numpy.random.Generator`` backed by the tree's bit generator.
        """
        bit_gen_cls = _BIT_GENERATORS[self._bit_generator]
        return np.random.Generator(bit_gen_cls(self.seed_sequence(*key)))

    def generators(self, purpose: KeyPart, n: int) -> list[np.random.Generator]:
        """Return generators for keys ``(purpose, 0) … (purpose, n-1)``, one per client.

        Args:
            purpose: The first key part.
            n: Number of clients (non-negative).

        Returns:
            A list of ``n`` generators; element ``i`` equals ``generator(purpose, i)``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return [self.generator(purpose, i) for i in range(n)]

    def keys_used(self) -> list[tuple[KeyPart, ...]]:
        """Return the keys asked for so far, in first-use order, without repeats."""
        return list(self._keys_used)

    def describe(self, *, include_keys: bool = False) -> dict[str, Any]:
        """Return a JSON-able description for ``meta.json``.

        Args:
            include_keys: Also list every key used (may be long for big populations).

        Returns:
            A dict with ``seed``, ``bit_generator``, ``entropy``, ``key_hash`` (how string
            parts are mapped), ``numpy_version``, ``n_keys_used`` and, if asked,
            ``keys_used`` (a list of lists).
        """
        out: dict[str, Any] = {
            "seed": self._seed,
            "bit_generator": self._bit_generator.value,
            "entropy": self._entropy,
            "derivation": "SeedSequence(entropy, spawn_key=key)",
            "key_hash": "zlib.crc32(utf-8) for str parts; ints as they are",
            "numpy_version": np.__version__,
            "n_keys_used": len(self._keys_used),
        }
        if include_keys:
            out["keys_used"] = [list(k) for k in self._keys_used]
        return out

    @classmethod
    def from_description(cls, description: dict[str, Any]) -> SeedTree:
        """Rebuild a tree from :meth:`describe` output (uses the recorded entropy)."""
        return cls(int(description["entropy"]), BitGenerator(description["bit_generator"]))

    def __repr__(self) -> str:
        return f"SeedTree(seed={self._seed!r}, bit_generator={self._bit_generator.value!r})"
