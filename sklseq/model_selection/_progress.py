"""A progress bar with the time left; plain lines when stderr is not a terminal."""

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Count finished jobs on stderr: ``[#####.....] 5/10 model fold 3, 0m40s left``."""

    def __init__(
        self, total: int, label: str, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(self, what: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        left = elapsed / self.done * (self.total - self.done)
        status = f"{self.done}/{self.total} {self.label}, {_duration(elapsed)} elapsed, about {_duration(left)} left ({what})"
        if self.tty:
            filled = int(20 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {status[:110]:<110}")
        else:
            self.stream.write(status + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
