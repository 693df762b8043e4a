"""A small, domain-blind discrete-event engine.

Events are callables scheduled at a time (minutes, float) with an integer priority.
The heap holds ``(time, priority, seq, callback, args)``; ``seq`` is a per-engine
counter, so two events with equal time and priority run in the order they were
scheduled. The order is therefore total and deterministic: no tie is ever broken by
comparing callables, object ids or the wall clock.

The engine knows nothing of markets; priorities are plain integers chosen by the
caller (lower runs first at equal time).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from rex_cli.signals import PENDING, raise_pending

__all__ = ["Engine", "EventHandle"]


class EventHandle:
    """A scheduled event that can be cancelled before it runs.

    Cancellation is lazy: the heap entry stays and is skipped when popped.
    """

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        """Mark the event so that it will not run."""
        self.cancelled = True


class Engine:
    """A heap-based event scheduler with priorities and deterministic tie-breaks.

    Attributes:
        now: Current simulation time in minutes; the time of the event being run.
        processed: Number of events run so far (cancelled events are not counted).
    """

    __slots__ = ("_heap", "_seq", "now", "processed")

    def __init__(self, start: float = 0.0) -> None:
        self._heap: list[tuple[float, int, int, Callable[..., Any], tuple[Any, ...], Any]] = []
        self._seq = 0
        self.now = float(start)
        self.processed = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(
        self,
        time: float,
        callback: Callable[..., Any],
        *args: Any,
        priority: int = 0,
        cancellable: bool = False,
    ) -> EventHandle | None:
        """Schedule ``callback(*args)`` at ``time``.

        Args:
            time: Event time in minutes; must not lie in the past.
            callback: Called with ``args`` when the event runs.
            *args: Positional arguments for the callback.
            priority: Lower runs first among events at the same time.
            cancellable: If true, return a handle whose ``cancel()`` drops the event.

        Returns:
            An ``EventHandle`` when ``cancellable`` is true, else ``None``.

        Raises:
            ValueError: If ``time`` is earlier than ``now`` or not finite.
        """
        if not time >= self.now:  # also rejects NaN
            raise ValueError(f"cannot schedule at {time!r}: the clock is at {self.now!r}")
        handle = EventHandle() if cancellable else None
        heapq.heappush(self._heap, (time, priority, self._seq, callback, args, handle))
        self._seq += 1
        return handle

    def peek(self) -> float | None:
        """Return the time of the next event, or ``None`` if the heap is empty."""
        return self._heap[0][0] if self._heap else None

    def run(self, until: float | None = None) -> int:
        """Run events in order until the heap is empty or the next event is after ``until``.

        Events at exactly ``until`` are run. The clock ends at ``until`` when given.

        Args:
            until: Last time (minutes, inclusive) to process; ``None`` runs everything.

        Returns:
            The number of events run by this call.
        """
        heap = self._heap
        pop = heapq.heappop
        pending = PENDING  # an interrupt some C callback swallowed (see rex_cli.signals)
        n = 0
        limit = float("inf") if until is None else until
        while heap and heap[0][0] <= limit:
            time, _prio, _seq, callback, args, handle = pop(heap)
            if handle is not None and handle.cancelled:
                continue
            self.now = time
            callback(*args)
            n += 1
            if pending:
                raise_pending()
        self.processed += n
        if until is not None and until > self.now:
            self.now = until
        return n
