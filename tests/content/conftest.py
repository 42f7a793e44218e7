"""Content tests import their helpers from content_support.py next to this file."""

from __future__ import annotations

import sys
from pathlib import Path

# --import-mode=importlib keeps test folders off sys.path; the helpers module lives here.
sys.path.insert(0, str(Path(__file__).resolve().parent))
