"""A bound on the whole of a call, not only on each read (a neutral module).

A socket timeout ends a read that waits; it never ends a peer that sends one byte just before
each timeout. `within` runs the call in a daemon thread and gives up at the deadline: the
caller gets `on_timeout()` raised, and the abandoned thread dies with the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T], on_timeout: Callable[[], Exception]) -> T:
    """`call()`'s result or exception, if it ends within `seconds`; else `on_timeout()` raised."""
    done: dict[str, object] = {}

    def work() -> None:
        try:
            done["result"] = call()
        except BaseException as exc:  # handed to the caller's thread
            done["error"] = exc

    worker = threading.Thread(target=work, name="tsedash bounded call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise on_timeout()
    if "error" in done:
        raise done["error"]  # type: ignore[misc]
    return done["result"]  # type: ignore[return-value]
