"""Locum: localization and publishing workflow for patient-facing health articles."""

__version__ = "0.1.0"
