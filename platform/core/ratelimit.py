"""Per-student submit rate limit over a sliding 60-second window, counted in the cache (shared across
web nodes when the cache is Redis). A cache outage lets submissions through rather than blocking
them.

Counts are kept per whole second. A request counts itself first, then adds up its own second and
the 60 before it: every request admitted in the 60 seconds before it is in that sum, so no
60-second interval admits more than the limit (a fixed per-minute counter admitted two full
bursts across a minute boundary). The window it sees is 60 to 61 seconds long: it errs towards
refusing. Counting before looking makes two racing requests each see the other. A refused
request takes its count back, so hammering does not keep the window closed.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# Longer than the window, so no count a request needs has expired; cache expiry is housekeeping only.
KEY_TIMEOUT = 2 * WINDOW_SECONDS


def clock() -> float:
    """Seconds since the epoch; the tests move it."""
    return time.time()


def _key(bucket: str, user_id: int, second: int) -> str:
    return f"rate:{bucket}:{user_id}:{second}"


def rate_limit_exceeded(*, user_id: int, bucket: str = "submit", limit: int | None = None) -> bool:
    limit = settings.SUBMIT_RATE_PER_MINUTE if limit is None else limit
    second = int(clock())
    own = _key(bucket, user_id, second)
    window = [_key(bucket, user_id, past) for past in range(second - WINDOW_SECONDS, second + 1)]
    try:
        cache.add(own, 0, timeout=KEY_TIMEOUT)
        cache.incr(own)
        exceeded = sum(int(count) for count in cache.get_many(window).values()) > limit
    except Exception:
        logger.warning("rate limit cache unavailable; allowing the submission", exc_info=True)
        return False
    if exceeded:
        try:
            cache.decr(own)
        except Exception:  # the count then expires with its key: refusing a little longer is safe
            logger.warning("rate limit cache unavailable; refused request stays counted", exc_info=True)
    return exceeded
