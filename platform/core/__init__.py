"""What every app of the site shares: the job pipeline, the grader's executor, errors, the JSON
endpoint decorator, the rate limiter and course-scoped lookups. It imports no other app."""
