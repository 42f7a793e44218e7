"""The Django project. ``platform/`` is a folder on sys.path (never a package named ``platform``).

gunicorn and celery run with ``--chdir platform`` / ``--workdir platform``: the repository root must
be importable too, because the web side calls the ``grader`` library.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from config.celery import app as celery_app  # noqa: E402  (after the path fix above)

__all__ = ["celery_app"]
