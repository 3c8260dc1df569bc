"""A local fake of LibreTranslate's HTTP API (``POST /translate`` → ``{"translatedText": …}``) with scriptable failures."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# A tiny English → Spanish word table: enough to see that text was translated and what was not sent.
SPANISH = {
    "call": "llame a", "in": "en", "an": "una", "emergency": "emergencia", "is": "es", "often": "a menudo",
    "the": "el", "first": "primer", "medicine": "medicamento", "to": "para", "try": "probar", "for": "para",
    "mild": "leve", "pain": "dolor", "read": "lea", "leaflet": "prospecto", "before": "antes de", "you": "usted",
    "take": "tome", "it": "lo", "do": "no", "not": "", "more": "más", "than": "que", "says": "dice",
    "if": "si", "need": "necesita", "advice": "consejo", "help": "ayuda", "us": "EE. UU.", "uk": "RU",
    "of": "de", "a": "un", "day": "día", "times": "veces", "and": "y", "or": "o", "see": "vea", "at": "a",
    "min": "min", "published": "publicado", "basics": "lo básico", "relief": "alivio", "sleep": "sueño",
}
_WORD = re.compile(r"[A-Za-z]+")


def spanish(text: str, source: str, target: str) -> str:
    """Word-by-word "translation" that leaves placeholders, digits, punctuation and line breaks alone.

    Other targets get their language code in front of each line, so a test can tell them apart.
    """
    if target != "es":
        return "\n".join(f"[{target}] {line}" for line in text.split("\n"))

    def word(match: re.Match) -> str:
        found = SPANISH.get(match.group().lower(), match.group())
        return found[:1].upper() + found[1:] if match.group()[0].isupper() else found

    return re.sub(r" {2,}", " ", _WORD.sub(word, text))


class FakeLibreTranslate:
    """Run with ``start()``; ``url`` is its address. Script it with:

    ``statuses``: status codes to answer first, one per request (``[429]``); ``always``: a status for every
    request (``500``); ``damage``: a function applied to each answer (to break placeholders); ``translate``:
    the "engine"; ``reply``: a JSON value sent instead of ``{"translatedText": …}`` (``{}``, a missing or empty
    field); ``drip``: seconds to wait before each byte of the answer, a stalled server that never goes silent
    for long (``drip_from``: ``"status"``, the whole answer dribbles, or ``"body"``, headers at once).
    ``requests`` records the parameters of every request received.
    """

    def __init__(self, translate=spanish):
        self.translate = translate
        self.statuses: deque[int] = deque()
        self.always: int | None = None
        self.damage = None
        self.reply = None
        self.drip: float | None = None
        self.drip_from = "status"
        self.requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def texts(self) -> list[str]:
        """Every ``q`` received: what left the machine."""
        return [r.get("q", "") for r in self.requests]

    def start(self) -> "FakeLibreTranslate":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json") and body:
                    params.update({k: str(v) for k, v in json.loads(body).items()})
                elif body:
                    params.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
                fake.requests.append(params)
                if parts.path != "/translate":
                    return self.answer(404, {"error": "Not Found"})
                status = fake.statuses.popleft() if fake.statuses else fake.always
                if status:
                    return self.answer(status, {"error": f"status {status}"})
                if not params.get("q") or not params.get("source") or not params.get("target"):
                    return self.answer(400, {"error": "Invalid request: missing q, source or target"})
                if fake.reply is not None:
                    return self.answer(200, fake.reply)
                text = fake.translate(params["q"], params["source"], params["target"])
                if fake.damage:
                    text = fake.damage(text)
                self.answer(200, {"translatedText": text})

            def answer(self, status: int, payload) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                if fake.drip is not None:
                    return self.dribble(status, data, fake.drip)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def dribble(self, status: int, data: bytes, pause: float) -> None:
                """The answer one byte at a time, ``pause`` seconds apart, until the client hangs up."""
                head = (f"HTTP/1.1 {status} {self.responses[status][0]}\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode("ascii")
                self.close_connection = True
                try:
                    if fake.drip_from == "body":
                        self.wfile.write(head)
                        head = b""
                    for byte in head + data:
                        if fake._stopping.wait(pause):
                            return
                        self.wfile.write(bytes([byte]))
                except OSError:                     # the client gave up: what a stalled server sees
                    return

            def log_message(self, *args) -> None:   # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
