from pathlib import Path

import pytest

from grader.sandbox import sandbox_available

AVAILABLE, WHY_NOT = sandbox_available()


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.sandbox)
            item.add_marker(pytest.mark.timeout(60))
            if not AVAILABLE:
                item.add_marker(pytest.mark.skip(reason=f"sandbox unavailable: {WHY_NOT}"))
