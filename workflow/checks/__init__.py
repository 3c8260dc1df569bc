"""Safety and quality checks of translations: importing this package registers every check."""

from workflow.checks import contacts, formats, glossary_terms, invisible, markup, numbers, style  # noqa: F401  (registration)
from workflow.checks.registry import ERROR, REGISTRY, WARNING, Check, Pair, check, run_checks

__all__ = ["ERROR", "WARNING", "REGISTRY", "Check", "Pair", "check", "run_checks"]
