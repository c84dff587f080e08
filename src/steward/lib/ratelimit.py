"""The one rate limiter: counts per key in fixed windows, kept where every process sees them.

    limiter = make_limiter("redis://127.0.0.1:6379/0", sessions, prefix="steward")
    wait = limiter.hit("sign-in:203.0.113.7", limit=20, per_seconds=300)  # None: allowed
    limiter.reset("sign-in-ok:anna@example.com")

Where the counts live (``STEWARD_RATE_LIMIT_STORE``):

- ``memory``: in this process (one server; counts reset on restart);
- ``store``: Steward's own database (an upsert per hit; works for several processes);
- ``redis://...``: a Redis server (INCR and EXPIRE in one transaction).

Every backend counts a hit and answers in one atomic step, so parallel requests cannot slip
past a limit. Windows are ``per_seconds`` long and start at multiples of it; the count that
decides is the current window's plus the previous window's weighted by how much of it still
lies within ``per_seconds`` (a sliding window, without keeping every hit). Over the limit,
``hit`` returns the seconds until the current window ends.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from sqlalchemy import Integer, String, delete, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from steward.store.tables import Base


class Limiter(Protocol):
    def hit(self, key: str, limit: int, per_seconds: float) -> float | None: ...

    def reset(self, key: str) -> None: ...


class RateCounter(Base):
    """One key's count in one window (the ``store`` backend)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)  # the window's number
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires: Mapped[int] = mapped_column(Integer, index=True)


def _window(per_seconds: float, now: float) -> tuple[int, float]:
    """The current window's number and the seconds left in it."""
    size = max(per_seconds, 1.0)
    number = int(now // size)
    return number, (number + 1) * size - now


def _decide(current: int, previous: int, left: float, per_seconds: float, limit: int) -> bool:
    """True when the sliding count stays within ``limit``."""
    weight = left / max(per_seconds, 1.0)
    return current + previous * weight <= limit


class MemoryLimiter:
    """Counts in this process only."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, per_seconds: float) -> float | None:
        number, left = _window(per_seconds, time.time())
        with self._lock:
            if len(self._counts) > 100_000:  # forget old windows so memory stays bounded
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= number - 1}
            count = self._counts.get((key, number), 0) + 1
            self._counts[(key, number)] = count
            previous = self._counts.get((key, number - 1), 0)
        return None if _decide(count, previous, left, per_seconds, limit) else left

    def reset(self, key: str) -> None:
        with self._lock:
            for found in [k for k in self._counts if k[0] == key]:
                del self._counts[found]


class StoreLimiter:
    """Counts in Steward's database: one upsert per hit (SQLite 3.35+, PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session], prefix: str) -> None:
        self.sessions, self.prefix = sessions, prefix

    def hit(self, key: str, limit: int, per_seconds: float) -> float | None:
        now = time.time()
        number, left = _window(per_seconds, now)
        name = f"{self.prefix}:{key}"
        with self.sessions() as session, session.begin():
            count = session.execute(
                text(
                    "INSERT INTO rate_counters (key, slot, count, expires) "
                    "VALUES (:key, :slot, 1, :expires) "
                    "ON CONFLICT (key, slot) DO UPDATE SET count = rate_counters.count + 1 "
                    "RETURNING count"
                ),
                {"key": name, "slot": number, "expires": int(now + left + per_seconds)},
            ).scalar_one()
            previous = session.scalar(
                text("SELECT count FROM rate_counters WHERE key = :key AND slot = :slot"),
                {"key": name, "slot": number - 1},
            )
            if number % 64 == 0:  # now and then, drop windows that ended
                session.execute(delete(RateCounter).where(RateCounter.expires < int(now)))
        return None if _decide(count, previous or 0, left, per_seconds, limit) else left

    def reset(self, key: str) -> None:
        with self.sessions() as session, session.begin():
            session.execute(delete(RateCounter).where(RateCounter.key == f"{self.prefix}:{key}"))


class RedisLimiter:
    """Counts in Redis, shared by every process that uses the same server and prefix."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url, socket_timeout=2)
        self.prefix = prefix

    def hit(self, key: str, limit: int, per_seconds: float) -> float | None:
        number, left = _window(per_seconds, time.time())
        name = f"{self.prefix}:rl:{key}:{number}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, int(left + per_seconds) + 1)
            pipe.get(f"{self.prefix}:rl:{key}:{number - 1}")
            count, _, previous = pipe.execute()
        return None if _decide(int(count), int(previous or 0), left, per_seconds, limit) else left

    def reset(self, key: str) -> None:
        names = list(self.client.scan_iter(f"{self.prefix}:rl:{key}:*", count=100))
        if names:
            self.client.delete(*names)


def make_limiter(where: str, sessions: sessionmaker[Session], *, prefix: str) -> Limiter:
    """The limiter ``STEWARD_RATE_LIMIT_STORE`` names; ValueError for anything else."""
    if where == "memory":
        return MemoryLimiter()
    if where == "store":
        return StoreLimiter(sessions, prefix)
    if where.startswith(("redis://", "rediss://", "unix://")):
        return RedisLimiter(where, prefix)
    raise ValueError(f"STEWARD_RATE_LIMIT_STORE is '{where}'; use memory, store or a redis:// URL")
