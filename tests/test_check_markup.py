"""markdown and html checks: tables of passing and failing pairs."""

from __future__ import annotations

import pytest

from workflow.checks import REGISTRY, Pair


def messages(check_id, source, target):
    return list(REGISTRY[check_id].function(Pair(source, target, "es", "es")))


PASS = [
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea [NHS 111](https://111.nhs.uk/)."),
    ("markdown", "Take **30 mg** *daily*.", "Tome **30 mg** *a diario*."),
    ("markdown", "Use `code`.", "Use `código`."),
    ("markdown", "![Pills](a.png \"T\")", "![Pastillas](a.png \"Título\")"),
    ("markdown", "[a](https://x.org/) and [b](https://y.org/)", "[b](https://y.org/) y [a](https://x.org/)"),
    ("markdown", "Plain text.", "Texto simple."),
    ("html", "Plain text.", "Texto simple."),
    ("html", "An autolink <https://www.nhs.uk/>.", "Un enlace <https://www.nhs.uk/>."),
    ("html", "Use 5 < 10 > 2.", "Use 5 < 10 > 2."),
    ("html", "Email <help@example.org>.", "Correo <help@example.org>."),
]
FAIL = [
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea [NHS 111](https://111.nhs.uk/x)."),
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea NHS 111."),
    ("markdown", "Take **30 mg** daily.", "Tome 30 mg a diario."),
    ("markdown", "Take *care*.", "Tenga **cuidado**."),
    ("markdown", "Use `code`.", "Use código."),
    ("markdown", "![Pills](a.png)", "![Pastillas](b.png)"),
    ("html", "Plain text.", "Texto <script>alert(1)</script>."),
    ("html", "Plain text.", "Texto <img src=x onerror=alert(1)>."),
    ("html", "Plain text.", "Texto <b>simple</b>."),
    ("html", "Plain.", "[Simple](javascript:alert(1))."),
    ("html", "Plain text.", 'Texto <a href="https://evil.example/">aquí</a>.'),
]


@pytest.mark.parametrize("check_id,source,target", PASS, ids=[f"{p[0]}:{p[2]}" for p in PASS])
def test_passes(check_id, source, target):
    assert messages(check_id, source, target) == []


@pytest.mark.parametrize("check_id,source,target", FAIL, ids=[f"{p[0]}:{p[2]}" for p in FAIL])
def test_fails(check_id, source, target):
    assert messages(check_id, source, target)
