"""Machine-translation engines through deep-translator: settings, retries, one deadline per request, batching.

The only module that imports deep_translator and requests: the only network code.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import os
import re
import socket
import sys
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from deep_translator import (
    DeeplTranslator,
    GoogleTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
    constants,
)
from deep_translator import exceptions as dte
from requests.adapters import HTTPAdapter

from workflow.errors import LocumError, UsageError

NO_KEY = "no-key"  # deep-translator's LibreTranslator insists on a key; a server without keys ignores it
# deep-translator's ServerException keeps only a message; these are the ones worth another attempt
RETRIED = {"ERR_TOO_MANY_REQUESTS": "too many requests (HTTP 429)",
           "ERR_INTERNAL_SERVER_ERROR": "server error (HTTP 500)",
           "ERR_SERVICE_NOT_AVAIBLE": "service unavailable (HTTP 503)",
           "API server error": "server error"}
MAX_TIMEOUT = 3600.0


class EngineError(LocumError):
    """The engine cannot be used (unreachable, refusing, failing)."""


class _SegmentFailed(Exception):
    """The engine answered, but not with a translation of this text."""


@dataclass(frozen=True)
class Provider:
    """A translation source: ``limit`` characters per request (0: offline); ``batch``: one segment per line."""

    name: str
    limit: int
    batch: bool
    languages: tuple[str, ...] | None = None
    url: str | None = None


PROVIDERS = {p.name: p for p in (
    Provider("memory", 0, False),
    Provider("libre", 2000, True, tuple(constants.LIBRE_LANGUAGES_TO_CODES.values())),
    Provider("google", 4999, True, tuple(constants.GOOGLE_LANGUAGES_TO_CODES.values()),
             constants.BASE_URLS["GOOGLE_TRANSLATE"]),
    Provider("deepl", 5000, True, tuple(constants.DEEPL_LANGUAGE_TO_CODE.values()), "https://api.deepl.com/"),
    Provider("microsoft", 10000, True, None, constants.BASE_URLS["MICROSOFT_TRANSLATE"]),
    # MyMemory matches whole segments against its own memory: one per request, under its 500 characters
    Provider("mymemory", 499, False, tuple(constants.MY_MEMORY_LANGUAGES_TO_CODES.values()),
             constants.BASE_URLS["MYMEMORY"]),
)}
TRANSLATORS = {"libre": LibreTranslator, "google": GoogleTranslator, "deepl": DeeplTranslator,
               "microsoft": MicrosoftTranslator, "mymemory": MyMemoryTranslator}


def engine_language(codes: tuple[str, ...] | None, catalog: str) -> str:
    """The engine's code for a catalog language: its own region if the engine has it, the language, a variant.

    >>> engine_language(("es-ES", "es-US", "pl-PL"), "es_US"), engine_language(("es-ES", "pl-PL"), "pl")
    ('es-US', 'pl-PL')
    >>> engine_language(("es", "zh-CN"), "es_MX"), engine_language(None, "pt_BR")
    ('es', 'pt')
    """
    language = catalog.split("_")[0]
    if not codes:
        return language
    for wanted in (catalog.replace("_", "-"), language):
        if wanted in codes:
            return wanted
    return next((c for c in codes if c.split("-")[0] == language), language)


def public_url(url: str) -> str:
    """A server address fit for a message: no user, password, query or fragment.

    >>> public_url("https://user:secret@mt.example.org:5000/path/?api_key=k")
    'https://mt.example.org:5000/path/'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def batches(chunks: list[str], limit: int) -> list[list[str]]:
    """Chunks packed, one per line, into requests of at most ``limit`` characters (0: one chunk per request).

    >>> batches(["a b", "c", "d e f", "g\\nh"], 7)
    [['a b', 'c'], ['d e f'], ['g\\nh']]
    """
    out: list[list[str]] = []
    size = limit + 1
    for chunk in chunks:
        if "\n" in chunk or not limit:
            out.append([chunk])
            size = limit + 1
        elif out and size + 1 + len(chunk) <= limit:
            out[-1].append(chunk)
            size += 1 + len(chunk)
        else:
            out.append([chunk])
            size = len(chunk)
    return out


def split_text(text: str, limit: int) -> list[tuple[str, str]]:
    """``text`` as (piece, whitespace after) no longer than ``limit``: at sentence ends, else between words.

    >>> split_text("One. Two three. Four.", 10)
    [('One.', ' '), ('Two three.', ' '), ('Four.', '')]
    >>> split_text("Alpha beta gamma.", 11)
    [('Alpha beta', ' '), ('gamma.', '')]
    """
    if not limit or len(text) <= limit:
        return [(text, "")]
    pieces = _pieces(text, r"(?<=[.!?…])(\s+)")
    pieces = [p for piece in pieces for p in (_pieces(piece[0], r"(\s+)", piece[1])
                                               if len(piece[0]) > limit else [piece])]
    pieces = [(word[i:i + limit], sep if i + limit >= len(word) else "") for word, sep in pieces
              for i in range(0, len(word), limit)]
    out = [pieces[0]]
    for piece, sep in pieces[1:]:
        last, last_sep = out[-1]
        if len(last) + len(last_sep) + len(piece) <= limit:
            out[-1] = (last + last_sep + piece, sep)
        else:
            out.append((piece, sep))
    return out


def _pieces(text: str, pattern: str, end: str = "") -> list[tuple[str, str]]:
    parts = re.split(pattern, text)
    return [(parts[i], parts[i + 1] if i + 1 < len(parts) else end) for i in range(0, len(parts), 2)]


# ---- one deadline per request ----------------------------------------------------------------------

_CURRENT: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("locum_deadline", default=None)


class _Deadline:
    """A wall-clock limit on one request, connection and whole answer: at the limit its sockets are shut down.

    A socket time-out bounds each read, not their sum: a server sending one byte every few seconds would never
    trip it. Shutting the socket down ends whatever read is in progress, headers or body, plain or TLS. Inside
    ``with``, it is the deadline of the engine requests made in this thread (context), and of no other.
    """

    def __init__(self, seconds: float):
        self.end, self.expired = time.monotonic() + seconds, False
        self._lock, self._sockets = threading.Lock(), []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._token: contextvars.Token | None = None

    def __enter__(self) -> _Deadline:
        self._token = _CURRENT.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _CURRENT.reset(self._token)
        with self._lock:
            for copy in self._sockets:
                copy.close()                    # our duplicate only: the connection is its owner's to close
            self._sockets.clear()

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock``'s connection down at the deadline (a duplicate stays valid once TLS has taken the socket)."""
        copy = socket.socket(fileno=os.dup(sock.fileno()))     # (plain socket whatever ``sock``'s class)
        with self._lock:
            self._sockets.append(copy)
            if self.expired:
                _shutdown(copy)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for copy in self._sockets:
                _shutdown(copy)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _quiet_within_deadlines(record: logging.LogRecord) -> bool:
    """urllib3's debug lines show request URLs, which carry keys: the ones our requests make are dropped."""
    return record.levelno >= logging.INFO or _CURRENT.get() is None


# A filter, not a level: it drops only lines logged by a thread while inside one of our requests, so no other
# user of urllib3 loses one (a record is filtered by the logger that makes it, hence each module's logger).
for _name in ("urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.response",
              "urllib3.poolmanager", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_quiet_within_deadlines)


def _watched(pool_class: type, deadline: _Deadline) -> type:
    """``pool_class`` (urllib3) whose connections register their socket with ``deadline`` as they open it."""
    if getattr(pool_class, "locum_deadline", None) is deadline:
        return pool_class

    class Connection(pool_class.ConnectionCls):
        def _new_conn(self):
            sock = super()._new_conn()
            deadline.watch(sock)
            return sock

    return type(pool_class.__name__, (pool_class,), {"ConnectionCls": Connection, "locum_deadline": deadline})


class _DeadlineAdapter(HTTPAdapter):
    """Every request (redirects too) ends at ``deadline``: connect, headers and the whole body, read here."""

    def __init__(self, deadline: _Deadline):
        self.deadline = deadline                # before HTTPAdapter.__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self._bind(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        self._bind(manager)
        return manager

    def _bind(self, manager) -> None:
        manager.pool_classes_by_scheme = {scheme: _watched(pool, self.deadline)
                                          for scheme, pool in manager.pool_classes_by_scheme.items()}

    def send(self, request, stream=False, timeout=None, **kwargs):
        remaining = self.deadline.remaining()
        if not remaining:
            raise requests.exceptions.Timeout("the deadline has passed", request=request)
        try:
            # each read is bounded by what is left; the whole answer by the deadline's shutdown
            response = super().send(request, stream=True, timeout=remaining, **kwargs)
            if not stream:
                response.content                # noqa: B018 (read it all now, under the deadline)
        except Exception:
            if self.deadline.expired:
                raise requests.exceptions.Timeout("no complete answer by the deadline", request=request) from None
            raise
        if self.deadline.expired:               # an answer without a length ends at the shutdown: cut short
            raise requests.exceptions.Timeout("no complete answer by the deadline", request=request)
        return response


class _BoundRequests:
    """What our engines' methods see as ``requests``: each request through its own session whose adapter
    enforces the current deadline (this thread's); everything else is the real module."""

    def __getattr__(self, name: str):
        return getattr(requests, name)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        deadline = _CURRENT.get()
        if deadline is None:
            raise RuntimeError("an engine request outside a deadline (workflow/engines.py)")
        kwargs.pop("timeout", None)
        with requests.Session() as session:
            adapter = _DeadlineAdapter(deadline)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            return session.request(method, url, **kwargs)

    def get(self, url: str, params=None, **kwargs) -> requests.Response:
        return self.request("GET", url, params=params, **kwargs)

    def post(self, url: str, data=None, json=None, **kwargs) -> requests.Response:
        return self.request("POST", url, data=data, json=json, **kwargs)


def _calls_requests(code: types.CodeType) -> bool:
    return "requests" in code.co_names or any(_calls_requests(c) for c in code.co_consts
                                                if isinstance(c, types.CodeType))


def _bounded(translator: type) -> type:
    """A subclass of deep-translator's ``translator`` whose requests end at the deadline of the ``_Deadline``
    the calling thread is inside.

    deep-translator calls ``requests.get``/``requests.post`` through its module's global ``requests`` and takes
    neither a session nor a time-out; its ``proxies`` cannot bound a request either. Pointing that global
    elsewhere would change the class for every thread and every other user in the process. Instead each
    method of the class that names ``requests`` is copied, its code unchanged, with globals of its own in
    which ``requests`` is ``_BoundRequests``; the module, the class and every other caller are left alone.
    """
    module = sys.modules[translator.__module__]
    if getattr(module, "requests", None) is not requests:
        raise RuntimeError(f"{module.__name__} no longer calls requests through a module global: "
                           "update workflow/engines.py")
    names = {**vars(module), "requests": _BoundRequests()}
    methods = {}
    for name, method in vars(translator).items():
        if isinstance(method, types.FunctionType) and _calls_requests(method.__code__):
            copy = types.FunctionType(method.__code__, names, method.__name__, method.__defaults__,
                                      method.__closure__)
            copy.__kwdefaults__, copy.__qualname__ = method.__kwdefaults__, method.__qualname__
            copy.__doc__, copy.__module__ = method.__doc__, method.__module__
            methods[name] = copy
    if "translate" not in methods:
        raise RuntimeError(f"{translator.__name__}.translate no longer calls requests: update workflow/engines.py")
    return type(translator.__name__, (translator,), {**methods, "__qualname__": translator.__qualname__})


# ---- the engine ----------------------------------------------------------------------------------------

class Engine:
    """One deep-translator engine: options from arguments or the environment, retries, time-outs, batching."""

    def __init__(self, provider: Provider, options: dict, source: str, backoff: float = 1.0):
        self.provider, self.name, self.backoff = provider, provider.name, backoff
        self.attempts, self.timeout = max(1, int(options.get("attempts", 5))), options.get("timeout", 30)
        if not isinstance(self.timeout, (int, float)) or not 0 < self.timeout <= MAX_TIMEOUT:
            raise UsageError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
                             f"(got {self.timeout!r})")
        self.timeout = float(self.timeout)
        self.source = engine_language(provider.languages, source)
        env = os.environ.get
        self.key = options.get("api_key") or env({"libre": "LIBRE_API_KEY", "deepl": "DEEPL_API_KEY",
                                                  "microsoft": "MICROSOFT_API_KEY"}.get(self.name, ""), "")
        self.email = options.get("email") or env("LOCUM_MYMEMORY_EMAIL") or None
        self.region = options.get("region") or env("LOCUM_MICROSOFT_REGION") or None
        if options.get("url") and self.name != "libre":
            raise UsageError(f"--url is for the libre provider (the {self.name} provider has a fixed address)")
        url = options.get("url") or (env("LOCUM_LIBRE_URL") if self.name == "libre" else None) or provider.url
        if self.name == "libre" and not url:
            if not self.key:
                raise UsageError("the libre provider needs a LibreTranslate server: pass --url URL "
                                 "or set LOCUM_LIBRE_URL")
            url = "https://libretranslate.com/"
        if self.name in ("deepl", "microsoft") and not self.key:
            raise UsageError(f"the {self.name} provider needs an API key: set {self.name.upper()}_API_KEY")
        if url and not re.match(r"^https?://[^/?#]", url):
            raise UsageError(f"--url must be an http:// or https:// address (got {public_url(url)!r})")
        if self.name == "libre":
            url = re.sub(r"/translate/?$", "", url.rstrip("/")) + "/"
        self.url, self.where = url, public_url(url or "")
        # the cache's name for this engine: its address without user, password or query, hashed (never in clear)
        self.identity = hashlib.sha256(f"locum-engine\0{self.name}\0{self.where}".encode()).hexdigest()[:16]
        self.translator_class = _bounded(TRANSLATORS[self.name])
        self.translators: dict[str, object] = {}
        self.requests = self.characters = 0

    def _translator(self, target: str):
        if target not in self.translators:
            source, key, translator = self.source, self.key, self.translator_class
            self.translators[target] = {
                "libre": lambda: translator(source=source, target=target, api_key=key or NO_KEY,
                                            custom_url=self.url),
                "google": lambda: translator(source=source, target=target),
                "deepl": lambda: translator(source=source, target=target, api_key=key,
                                            use_free_api=key.endswith(":fx")),
                "microsoft": lambda: translator(source=source, target=target, api_key=key, region=self.region),
                "mymemory": lambda: translator(source=source, target=target, email=self.email),
            }[self.name]()
        return self.translators[target]

    def request(self, text: str, target: str) -> str:
        """One text translated within ``timeout`` seconds in all, retries and back-off included.

        Each attempt ends at that deadline (connection and whole answer); 429, 5xx and dropped connections are
        retried with exponential back-off while time is left. An answer without a translation (``{}``, a missing
        field, an empty text) is the engine failing: an EngineError, like an unreachable server.
        """
        end = time.monotonic() + self.timeout
        problem, tried = "", 0
        for attempt in range(self.attempts):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= end:
                    break                       # no time left for another attempt
                time.sleep(pause)
            left = end - time.monotonic()
            if left <= 0:
                break
            tried += 1
            self.requests, self.characters = self.requests + 1, self.characters + len(text)
            answer, problem = self._attempt(text, target, left)
            if answer is not None:
                return answer
        raise EngineError(f"{self.name}: {problem} from {self.where}, {tried} attempt(s) within "
                             f"{self.timeout:g} s (--timeout)")

    def _attempt(self, text: str, target: str, seconds: float) -> tuple[str | None, str]:
        """One attempt: (the translation, "") or (None, why it is worth another); else an error, raised."""
        late, deadline = "no complete answer", _Deadline(seconds)
        try:
            with deadline:
                answer = self._translator(target).translate(text)
        except requests.exceptions.Timeout:
            return None, late
        except requests.exceptions.ConnectionError:
            raise EngineError(f"{self.name}: network unreachable: cannot connect to {self.where} "
                                 "(check the address and the network)") from None
        except requests.exceptions.InvalidJSONError:
            raise EngineError(f"{self.name}: {self.where} did not answer as a {self.name} server "
                                 "does (not JSON)") from None
        except (requests.exceptions.RequestException, AttributeError):
            # (Microsoft's class swallows its errors, time-outs included, and then finds no response)
            return None, late if deadline.expired else "the connection failed"
        except (dte.TooManyRequests, dte.RequestError) as exc:
            return None, RETRIED["ERR_TOO_MANY_REQUESTS" if isinstance(exc, dte.TooManyRequests) else
                                 "API server error"]
        except dte.ServerException as exc:
            if str(exc) not in RETRIED:
                code = {v: k for k, v in dte.ServerException.errors.items()}.get(str(exc), "")
                raise EngineError(f"{self.name}: {self.where} refused the request "
                                     f"(HTTP {code} {exc})") from None
            return None, RETRIED[str(exc)]
        except dte.MicrosoftAPIerror as exc:
            if not re.search(r"'code': (429|5\d\d)", exc.api_message):
                raise EngineError(f"{self.name}: the service refused the request: {exc.api_message}") from None
            return None, "the service is busy or failing"
        except dte.AuthorizationException:
            raise EngineError(f"{self.name}: {self.where} refused the API key (HTTP 403)") from None
        except (dte.ApiKeyException, dte.LanguageNotSupportedException, dte.InvalidSourceOrTargetLanguage):
            raise EngineError(f"{self.name}: no translation from {self.source} into {target} "
                                 "with these settings") from None
        except (dte.NotValidLength, dte.NotValidPayload):
            raise _SegmentFailed("the engine does not take this text (length or content)") from None
        except (dte.TranslationNotFound, KeyError, IndexError, TypeError):
            raise self._malformed() from None
        if not isinstance(answer, str) or not answer.strip():
            raise self._malformed()
        return answer, ""

    def _malformed(self) -> EngineError:
        return EngineError(f"{self.name}: {self.where} answered without a translation (an empty or "
                              "malformed answer; nothing was kept from it)")

    def translate(self, chunks: list[str], target: str, store: Callable[[str, str | None, str], None]) -> None:
        """Translate ``chunks``, calling ``store(chunk, translation or None, reason)`` as each one is done.

        A batch answer with the wrong number of lines, or an empty line, is not used: each chunk is sent alone.
        """
        for batch in batches(chunks, self.provider.limit if self.provider.batch else 0):
            if len(batch) > 1:
                try:
                    parts = self.request("\n".join(batch), target).strip("\n").split("\n")
                except _SegmentFailed:
                    parts = []
                if len(parts) == len(batch) and all(part.strip() for part in parts):
                    for chunk, part in zip(batch, parts):
                        store(chunk, part.strip(), "")
                    continue
            for chunk in batch:               # alone, or the engine did not keep one segment per line
                try:
                    store(chunk, self.request(chunk, target), "")
                except _SegmentFailed as exc:
                    store(chunk, None, str(exc))
