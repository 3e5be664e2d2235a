"""Items made in a forked child process, handed over in order: the child's Python work
(reading, checking, encoding a file) runs on another core beside the caller's, sharing no
GIL with it; its warnings and errors surface in the caller as if made there."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import warnings
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

T = TypeVar("T")
FORK = multiprocessing.get_context("fork")  # the child needs nothing pickled to start
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def in_child(make: Callable[[], Iterator[T]]) -> Generator[T, None, None]:
    """The items make() yields, made in a child process one item ahead (memory stays bounded
    by the item being used, the one being sent and the one being made); the child starts at
    once, dies with the caller, and is killed when the caller stops early (closing the
    generator, even before its first item)."""
    reader, writer = FORK.Pipe(duplex=False)
    child = FORK.Process(
        target=_produce, args=(make, writer, os.getpid()), name="twin-load-read", daemon=True
    )
    child.start()
    # Only the child writes: with the caller's copy closed, a child that dies, even in the
    # middle of a message, ends the pipe and the caller hears of it at once.
    writer.close()
    items = _received(reader, child)
    next(items)  # into its try block: from now on closing it ends the child
    return cast(Generator[T, None, None], items)


def _received(reader: Connection, child: Any) -> Generator[object, None, None]:
    """None first (the generator is then running), then the child's items as they come."""
    try:
        yield None
        while True:
            kind, value = _next(reader, child)
            if kind == "item":
                yield value
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
        reader.close()


def _next(reader: Connection, child: Any) -> tuple[str, object]:
    """The child's next message; an error when it died without saying why."""
    try:
        return cast(tuple[str, object], reader.recv())
    except (EOFError, OSError):
        child.join()
        raise RuntimeError(f"the reading process died (exit code {child.exitcode})") from None


def _produce(make: Callable[[], Iterator[object]], writer: Connection, parent: int) -> None:
    _die_with(parent)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for item in make():
                _pass_on(caught, writer)
                writer.send(("item", item))  # blocks until the caller takes the last one
            _pass_on(caught, writer)
        writer.send(("done", None))
    except BaseException as exc:  # raised in the caller
        writer.send(("error", _sendable(exc)))
    finally:
        writer.close()


def _pass_on(caught: list[warnings.WarningMessage], writer: Connection) -> None:
    for w in caught:
        writer.send(("warning", (w.category, str(w.message))))
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
