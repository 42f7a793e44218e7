"""Per-student submit rate limit: a counter per minute in the cache (shared across web nodes
when the cache is Redis). A cache outage lets submissions through rather than blocking them."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_limit_exceeded(*, user_id: int, bucket: str = "submit", limit: int | None = None) -> bool:
    limit = settings.SUBMIT_RATE_PER_MINUTE if limit is None else limit
    key = f"rate:{bucket}:{user_id}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    except Exception:
        logger.warning("rate limit cache unavailable; allowing the submission", exc_info=True)
        return False
    return count > limit
