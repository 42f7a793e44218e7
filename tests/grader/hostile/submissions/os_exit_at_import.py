"""Attack: os._exit(0) at import: leave with a success status before the harness reports anything."""
import os

os._exit(0)
