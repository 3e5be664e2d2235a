"""Chunks made in a child process arrive as made there: in order, with its warnings and
errors, and the child never outlives the load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from twin.ingest.child import in_child
from twin.ingest.load import LoadRefused
from twin.ingest.read import SourceError
from twin.ingest.validate import Problem

GONE_WITHIN_S = 5.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is gone


def wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_WITHIN_S
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    return not alive(pid)


def test_items_keep_their_order_and_the_error_is_the_one_raised_there() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise SourceError("a.csv: feature 6: broken")

    seen = []
    with pytest.raises(SourceError, match="feature 6: broken"):
        for item in in_child(items):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_a_refusal_in_the_child_is_the_same_refusal() -> None:
    problem = Problem(3, "C3", "status", "unknown value 'x'")

    def items() -> Iterator[int]:
        raise LoadRefused(Path("a.csv"), [problem])
        yield 0

    with pytest.raises(LoadRefused) as refused:
        list(in_child(items))
    assert refused.value.problems == [problem] and refused.value.path == Path("a.csv")
    assert str(refused.value) == "a.csv: 1 problem(s); nothing was loaded"


def test_an_error_that_cannot_travel_keeps_its_type_and_message() -> None:
    class Local(Exception):  # not importable by name: pickling it fails
        pass

    def items() -> Iterator[int]:
        raise Local("lost on the way?")
        yield 0

    with pytest.raises(RuntimeError, match="Local: lost on the way"):
        list(in_child(items))


def test_the_childs_warnings_reach_the_caller() -> None:
    def items() -> Iterator[int]:
        warnings.warn("column 3 has mixed types", RuntimeWarning, stacklevel=1)
        yield 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(in_child(items)) == [1]
    assert [(w.category, str(w.message)) for w in caught] == [
        (RuntimeWarning, "column 3 has mixed types")
    ]


def test_a_child_that_dies_is_an_error_not_an_end() -> None:
    def items() -> Iterator[int]:
        yield 1
        os._exit(3)

    with pytest.raises(RuntimeError, match="exit code 3"):
        list(in_child(items))


def test_a_child_killed_in_the_middle_of_a_message_is_an_error_not_a_hang() -> None:
    def items() -> Iterator[bytes]:
        # Killed while the second item is part-way into the pipe (it holds 64 KB) and the
        # caller still holds the first: the caller held the pipe's write end too, and then
        # waited for ever for the rest of the message.
        threading.Timer(0.5, os.kill, [os.getpid(), signal.SIGKILL]).start()
        yield b"first"
        yield os.urandom(1 << 24)

    def drain(out: list[BaseException]) -> None:
        try:
            for _ in in_child(items):
                time.sleep(1.5)
        except BaseException as exc:
            out.append(exc)

    caught: list[BaseException] = []
    reader = threading.Thread(target=drain, args=(caught,), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "the caller still waits for a dead child"
    assert len(caught) == 1 and "reading process died" in str(caught[0])


def test_stopping_early_ends_the_child() -> None:
    def items() -> Iterator[int]:
        yield os.getpid()
        while True:
            yield 0

    ready = in_child(items)
    pid = next(ready)
    ready.close()
    assert wait_gone(pid)


CALLER = """
import os, sys, time
from twin.ingest.child import in_child
def items():
    yield os.getpid()
    time.sleep(600)
    yield 0
for pid in in_child(items):
    print(pid, flush=True)
"""


def test_a_killed_caller_leaves_no_child() -> None:
    caller = subprocess.Popen([sys.executable, "-c", CALLER], stdout=subprocess.PIPE, text=True)
    assert caller.stdout is not None
    pid = int(caller.stdout.readline())
    assert alive(pid)
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    assert wait_gone(pid)
