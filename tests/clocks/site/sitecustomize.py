"""Loaded into every Python process of a shifted-clock run (tests.clocks puts it on PYTHONPATH).

libfaketime 0.9.10 (Debian 12) breaks absolute monotonic sleeps when the monotonic clock is
left real: `time.sleep` (clock_nanosleep with TIMER_ABSTIME) fails with EINVAL. A relative
select() timeout sleeps the same time and is untouched by the shift.
"""

import select
import time


def _sleep(seconds: float) -> None:
    select.select([], [], [], seconds)


time.sleep = _sleep
