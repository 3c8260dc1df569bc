"""Inline Markdown of a segment shown to a reviewer: rendered as the reader sees it, escaped, with highlights.

The review packet and the review server show a source or a translation
through :func:`render_inline`: emphasis, links and code as HTML, raw HTML
never (the translation parser has it off, so ``<img onerror=…>`` stays
text), and glossary terms and numbers marked inside each text node, so a
highlight never cuts a tag in two.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup, escape

from workflow.markdown import parse_inline
from workflow.markdown import render_inline as render_tokens

Span = tuple[int, int, str]


def highlight(text: str, spans: list[Span]) -> Markup:
    """Escaped ``text`` with ``<mark class="…">`` around non-overlapping spans (first one wins).

    >>> str(highlight("Take 30 mg <now>", [(5, 10, "number")]))
    'Take <mark class="number">30 mg</mark> &lt;now&gt;'
    """
    out, position = [], 0
    for start, end, kind in sorted(spans):
        if start < position or start >= end:
            continue
        out += [escape(text[position:start]), Markup('<mark class="{}">').format(kind),
                escape(text[start:end]), Markup("</mark>")]
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def render_inline(text: str, spans_fn: Callable[[str], list[Span]] | None = None) -> Markup:
    """``text`` (inline Markdown) as escaped HTML; ``spans_fn(node_text)`` gives each text node's highlights.

    >>> str(render_inline("Take **30 mg** <b>now</b>", lambda t: [(0, 5, "number")] if t == "30 mg" else []))
    'Take <strong><mark class="number">30 mg</mark></strong> &lt;b&gt;now&lt;/b&gt;'
    >>> str(render_inline("[x](javascript:alert(1))"))
    '[x](javascript:alert(1))'
    """
    spans = spans_fn or (lambda _text: [])
    return Markup(render_tokens(parse_inline(text), lambda node: str(highlight(node, spans(node)))))


_KEPT: dict[tuple, Markup] = {}
KEEP = 20_000       # renderings kept by :func:`kept`, forgotten all at once past it


def kept(key: tuple | None, render: Callable[[], Markup]) -> Markup:
    """``render()``, kept under ``key`` for the next caller with that key (None: not kept). The key must name
    everything the rendering depends on: the text, and the glossary's bytes and languages for highlights.

    >>> kept(("doctest", "a"), lambda: Markup("<b>a</b>")), kept(("doctest", "a"), lambda: Markup("other"))
    (Markup('<b>a</b>'), Markup('<b>a</b>'))
    """
    if key is None:
        return render()
    html = _KEPT.get(key)
    if html is None:
        html = render()
        if len(_KEPT) >= KEEP:
            _KEPT.clear()
        _KEPT[key] = html
    return html
