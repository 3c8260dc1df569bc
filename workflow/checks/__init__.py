"""Safety and quality checks of translations: importing this package registers every check."""

from workflow.checks import contacts, emergency, formats, glossary_terms, invisible, markup, numbers, style  # noqa: F401  (registration)
from workflow.checks.registry import (
    ERROR,
    REGISTRY,
    SOURCE_CHECKS,
    WARNING,
    Check,
    Pair,
    check,
    run_checks,
    source_check,
)

__all__ = ["ERROR", "WARNING", "REGISTRY", "SOURCE_CHECKS", "Check", "Pair", "check", "run_checks", "source_check"]
