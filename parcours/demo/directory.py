"""Demo directory: filled by the directory app (see parcours.demo.services.World)."""

from __future__ import annotations


def load(world) -> None:
    """Nothing yet."""
