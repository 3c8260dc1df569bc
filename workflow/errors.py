"""The one exception hierarchy: every error a user can cause knows its file and line."""

from __future__ import annotations

from pathlib import Path


class LocumError(Exception):
    """Base class of every error Locum reports to a user.

    ``path`` and ``line`` (1-based) locate the problem when known; ``str()``
    gives ``path:line: error: message`` as compilers do.

    >>> str(LocumError("bad title", path="source/x.md", line=3))
    'source/x.md:3: error: bad title'
    >>> str(LocumError("no project"))
    'error: no project'
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __reduce__(self):          # keep path and line when crossing a process boundary
        return (_rebuild, (type(self), self.message, self.path, self.line))

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where += f":{self.line}"
        return f"{where}: error: {self.message}" if where else f"error: {self.message}"


def _rebuild(cls, message, path, line):
    error = LocumError.__new__(cls)
    LocumError.__init__(error, message, path=path, line=line)
    return error


class ConfigError(LocumError):
    """``locales/locum.toml`` is missing or invalid."""


class SourceError(LocumError):
    """A source article cannot be parsed."""


class CatalogError(LocumError):
    """A PO or POT file cannot be read or is inconsistent."""


class UsageError(LocumError):
    """The command line asked for something that does not exist."""


class ConflictError(LocumError):
    """A file changed on disk after Locum read it (a translator saved it meanwhile): it was not overwritten."""


class LockError(LocumError):
    """Another Locum command held the project lock for longer than this one would wait."""


class ErrorList(LocumError):
    """Several errors found at once (config validation reports them all)."""

    def __init__(self, errors: list[LocumError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    def __reduce__(self):
        return (ErrorList, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
