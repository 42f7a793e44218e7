"""The Celery queue names, in one place (plain constants: ``config/settings.py`` reads them too).

- ``grading``: every job that runs code in the sandbox (a submission's grading, a regrade item, an
  authoring run), served first by the grading workers;
- ``celery``: Celery's default queue, served by the same workers after ``grading``
  (``queue_order_strategy: priority``, the order of ``-Q``): follow-ups nobody waits for (reference
  precompute, similarity fingerprints) and jobs that need no sandbox (LTI passbacks, e-mail);
- ``run``: the Run button, served by its own worker so a grading burst never delays it.

Shell scripts and ``docker-compose.yml`` cannot import this: they spell ``-Q grading,celery`` and
``-Q run`` (``tests/platform/test_celery_config.py`` checks they match).
"""

GRADING_QUEUE = "grading"
DEFAULT_QUEUE = "celery"
RUN_QUEUE = "run"
# What a grading worker serves, in the order it takes tasks (``celery worker -Q grading,celery``).
GRADING_WORKER_QUEUES = (GRADING_QUEUE, DEFAULT_QUEUE)
