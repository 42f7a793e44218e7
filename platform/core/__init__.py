"""What every app of the site shares: the job pipeline, the grader's executor, errors, the JSON
endpoint decorator, the rate limiter, course-scoped lookups, the Celery queue names (``queues``)
and the shared Redis client (``redis_client``). It imports no other app."""
