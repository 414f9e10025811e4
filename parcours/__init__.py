"""Parcours: information system for social-inclusion programmes."""

__version__ = "0.1.0"
