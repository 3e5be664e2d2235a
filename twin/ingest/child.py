"""Items made in a forked child process, handed over in order: the child's Python work
(reading, checking, encoding a file) runs on another core beside the caller's, sharing no
GIL with it; its warnings and errors surface in the caller as if made there."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.queues
import os
import pickle
import queue
import signal
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

T = TypeVar("T")
FORK = multiprocessing.get_context("fork")  # the child needs nothing pickled to start
PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_S = 0.5  # how often the caller looks whether a silent child is still alive


def in_child(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items make() yields, made in a child process one item ahead (memory stays bounded
    by the item being used, the one waiting and the one being made); the child dies with
    the caller, and is killed when the caller stops early."""
    results: multiprocessing.queues.Queue[tuple[str, object]] = FORK.Queue(maxsize=1)
    child = FORK.Process(
        target=_produce, args=(make, results, os.getpid()), name="twin-load-read", daemon=True
    )
    child.start()
    try:
        while True:
            kind, value = _next(results, child)
            if kind == "item":
                yield value  # type: ignore[misc]
            elif kind == "warning":
                category, message = cast(tuple[type[Warning], str], value)
                warnings.warn(message, category, stacklevel=2)
            elif kind == "error":
                raise value  # type: ignore[misc]
            else:
                return
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        results.close()


def _next(
    results: multiprocessing.queues.Queue[tuple[str, object]], child: Any
) -> tuple[str, object]:
    """The child's next message; an error when it died without saying why."""
    while True:
        try:
            return results.get(timeout=POLL_S)
        except queue.Empty:
            if child.is_alive():
                continue
        with contextlib.suppress(queue.Empty):  # its last words may still be in the pipe
            return results.get(timeout=POLL_S)
        raise RuntimeError(f"the reading process died (exit code {child.exitcode})")


def _produce(
    make: Callable[[], Iterator[object]],
    results: multiprocessing.queues.Queue[tuple[str, object]],
    parent: int,
) -> None:
    _die_with(parent)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for item in make():
                _pass_on(caught, results)
                results.put(("item", item))
            _pass_on(caught, results)
        results.put(("done", None))
    except BaseException as exc:  # raised in the caller
        results.put(("error", _sendable(exc)))
    finally:
        results.close()
        results.join_thread()  # everything put has reached the pipe before the child exits


def _pass_on(
    caught: list[warnings.WarningMessage],
    results: multiprocessing.queues.Queue[tuple[str, object]],
) -> None:
    for w in caught:
        results.put(("warning", (w.category, str(w.message))))
    caught.clear()


def _sendable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when the one that forked it dies (even killed)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)
