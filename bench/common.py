"""What the benchmark's parts share: the pages measured and their results, the error that stops a
run, and the progress output."""

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


class BenchError(Exception):
    pass


@dataclass
class LoadResult:
    rps: float = 0.0
    p50: float = 0.0  # ms
    p99: float = 0.0
    requests: int = 0
    error: str | None = None


@dataclass
class Page:
    key: str
    label: str
    shown: str  # the URL as the table shows it
    paths: list[str]
    fresh: bool = False  # a new visitor (no cookies) for every request
    load_paths: list[str] | None = None  # None: not measured under load
    queries: int | None = None
    samples: list[float] = field(default_factory=list)  # ms
    error: str | None = None
    load: dict[str, LoadResult] = field(default_factory=dict)

    def cut(self, requests):
        return bool(self.samples) and len(self.samples) < requests

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples else None

    @property
    def p99(self):
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]  # nearest rank


def say(*parts):
    print(*parts, flush=True)
