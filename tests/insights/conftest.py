import pytest


@pytest.fixture(autouse=True)
def _snapshots(insights_snapshots):
    """Every insights test works on its own snapshot folder (tests/conftest.py)."""
