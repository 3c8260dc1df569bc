"""The python-format check: tables, msgfmt --check-format as the judge, and the render that never crashes."""

from __future__ import annotations

import gettext
import subprocess
from pathlib import Path

import pytest
from conftest import require
from markupsafe import Markup

from workflow.catalogs import POEntry
from workflow.checks import REGISTRY, Pair
from workflow.checks.formats import FormatError, parse_format, template_messages
from workflow.chrome import site_messages
from workflow.findings import check_entry
from workflow.render import environment, escaping_gettext


def messages(source, target, flags=("python-format",), plural=None):
    return list(REGISTRY["python-format"].function(Pair(source, target, "es", "es", None, flags, plural)))


# (msgid, msgstr, ok): singular python-format entries.
SINGULAR = [
    ("Published %(date)s", "Publicado el %(date)s", True),
    ("Published %(date)s", "%(date)s: publicado", True),
    ("Published %(date)s", "Publicado %(date)s, 100%% seguro", True),
    ("Published %(date)s", "Publicado %(date)r", True),           # s and r are both strings
    ("Published %(date)s", "Publicado %(date)s %(date)s", True),
    ("Published %(date)s", "Publicado %(date)-10s", True),
    ("%(num)d min read", "%(num)i min", True),
    ("%(num)d min read", "%(num)ld min", True),
    ("Skip to content", "Ir al contenido", True),
    ("Skip to content", "Ir al 100%% del contenido", True),
    ("%s and %d", "%s y %d", True),
    ("Published %(date)s", "Publicado el %(fecha)s", False),      # unknown name (and date missing)
    ("Published %(date)s", "Publicado", False),                   # missing name
    ("Published %(date)s", "Publicado %(date)s 100%", False),     # bare % at the end
    ("Published %(date)s", "Publicado %(date)d", False),          # string → integer
    ("Published %(date)s", "Publicado %s", False),                # mapping → tuple
    ("Published %(date)s", "Publicado %(date)", False),           # no conversion
    ("Published %(date)s", "Publicado %(date", False),            # unclosed name
    ("Published %(date)s", "Publicado %(date)s %(date)d", False), # one name, two kinds
    ("Published %(date)s", "Publicado %(date).*s", False),        # names and a positional *
    ("Published %(date)s", "Publicado %(date)s %(x)s", False),
    ("Published %(date)s", "Publicado %(date)a", False),          # msgfmt knows no %a
    ("Skip to content", "Salta 100%", False),
    ("Skip to content", "Salta 100% s", False),                   # "% s" is a directive
    ("Skip to content", "Salta %(x)s", False),
    ("Skip to content", "Salta %.3", False),
    ("%(num)d min read", "%(num)5.2f min", False),
    ("%(num)d min read", "%(num)c min", False),
    ("%s and %d", "%d y %s", False),
    ("%s and %d", "%s", False),
]
# (msgid_plural, msgstr[n], ok): a plural form is compared with msgid_plural and may leave a name out.
PLURAL = [
    ("%(num)d min read", "%(num)d minutos", True),
    ("%(num)d min read", "un minuto", True),
    ("%(num)d min read", "%(x)d minutos", False),
    ("%(num)d min read", "%(num)d minutos 100%", False),
    ("%(num)d min read", "%(num)s minutos", False),
    ("%d files", "un fichero", False),          # positional directives must all be there
    ("%d files", "%d ficheros", True),
]
# msgfmt accepts these; Python refuses them at run time ("%5%" wants an argument, "%(a)%" a name it
# then cannot format), so the check does too.
STRICTER_THAN_MSGFMT = [("A 50%% share", "Una parte del 50%5%", False), ("%(a)s", "%(a)s %(a)%", False)]


@pytest.mark.parametrize("msgid,msgstr,ok", SINGULAR + STRICTER_THAN_MSGFMT)
def test_singular(msgid, msgstr, ok):
    assert (messages(msgid, msgstr) == []) == ok, messages(msgid, msgstr)


@pytest.mark.parametrize("plural,msgstr,ok", PLURAL)
def test_plural_form(plural, msgstr, ok):
    assert (messages("one", msgstr, plural=plural) == []) == ok, messages("one", msgstr, plural=plural)


def _msgfmt_accepts(tmp_path: Path, msgid: str, msgstr: str, plural: str | None) -> bool:
    quote = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'    # noqa: E731
    header = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n'
              'Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')
    if plural is None:
        body = f"#, python-format\nmsgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n"
    else:
        body = (f"#, python-format\nmsgid {quote(msgid)}\nmsgid_plural {quote(plural)}\n"
                f"msgstr[0] {quote(msgstr)}\nmsgstr[1] {quote(msgstr)}\n")
    po = tmp_path / "t.po"
    po.write_text(header + body, encoding="utf-8")
    return subprocess.run([require("msgfmt"), "--check-format", "-o", "/dev/null", str(po)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("msgid,msgstr,ok", SINGULAR)
def test_msgfmt_judges_singulars_the_same(tmp_path, msgid, msgstr, ok):
    assert _msgfmt_accepts(tmp_path, msgid, msgstr, None) == ok


@pytest.mark.parametrize("plural,msgstr,ok", PLURAL)
def test_msgfmt_judges_plurals_the_same(tmp_path, plural, msgstr, ok):
    assert _msgfmt_accepts(tmp_path, "one", msgstr, plural) == ok


@pytest.mark.parametrize("msgid,msgstr,ok", STRICTER_THAN_MSGFMT)
def test_where_the_check_is_stricter_than_msgfmt_python_fails(msgid, msgstr, ok):
    with pytest.raises((ValueError, TypeError, KeyError)):
        msgstr % {"a": "x"}


def test_a_source_that_does_not_parse_is_not_judged():
    assert messages("100%", "100%") == [] and messages("100%", "cien") == []
    with pytest.raises(FormatError):
        parse_format("100%")


def test_messages_say_what_is_wrong():
    assert messages("Published %(date)s", "Publicado el %(fecha)s") == [
        "%(fecha)s is not in the source (python-format)", "%(date)s is missing (python-format)"]
    assert messages("Skip to content", "Salta 100%") == [
        "not a valid Python format string: the string ends in the middle of a directive (python-format)"]


def test_which_entries_are_judged():
    # every template message goes through Jinja's "%", flagged or not; other text only when flagged
    assert messages("Skip to content", "Salta 100%", flags=()) != []
    assert messages("Take 50% of the dose.", "Tome el 50% de la dosis.", flags=()) == []
    assert messages("Take 50%% of the dose.", "Tome el 50% de la dosis.") != []
    assert messages("not yet translated", "100% sin traducir", flags=()) == []    # Python text, not formatted
    assert "Published %(date)s" in template_messages() and "not yet translated" not in template_messages()


def test_check_entry_passes_flags_and_plural_forms():
    singular = POEntry(msgid="Published %(date)s", msgstr="Publicado el %(fecha)s", flags=["python-format"])
    assert {c for c, _, _ in check_entry(singular, "es", None)} >= {"python-format"}
    plural = POEntry(msgid="%(num)d min read", msgid_plural="%(num)d min read", flags=["python-format"],
                     msgstr_plural={0: "un minuto", 1: "%(num)d minutos", 2: "%(num)d minutos"})
    assert [c for c, _, _ in check_entry(plural, "es", None, 3) if c == "python-format"] == []
    plural.msgstr_plural[1] = "%(n)d minutos"
    assert [c for c, _, _ in check_entry(plural, "es", None, 3) if c == "python-format"] == ["python-format"]


class _Catalog(gettext.NullTranslations):
    def __init__(self, texts: dict):
        super().__init__()
        self.texts = texts

    def gettext(self, message):
        return self.texts.get(message, message)

    def ngettext(self, singular, plural, n):
        return self.texts.get((singular, n == 1), singular if n == 1 else plural)


def test_the_render_escapes_every_translation_and_never_breaks_on_a_bad_format():
    translations = _Catalog({"Skip to content": "<b>Saltar</b> & ir",
                             "Published %(date)s": "Publicado %(fecha)s",
                             "Last reviewed %(date)s": "<i>Revisado</i> %(date)s",
                             ("%(num)d min read", False): "%(num)d min 100%"})
    env = environment(translations)
    render = lambda source: env.from_string(source).render(date=Markup("<time>1</time>"), n=2)  # noqa: E731
    assert render('{{ _("Skip to content") }}') == "&lt;b&gt;Saltar&lt;/b&gt; &amp; ir"
    assert render('{{ _("Published %(date)s", date=date) }}') == "Published <time>1</time>"
    assert render('{{ _("Last reviewed %(date)s", date=date) }}') == "&lt;i&gt;Revisado&lt;/i&gt; <time>1</time>"
    assert render('{{ ngettext("%(num)d min read", "%(num)d min read", n) }}') == "2 min read"


def test_the_source_language_renders_as_before():
    # escaping changes none of the templates' msgids, so English pages are byte for byte what they were
    for msgid, plural, *_ in site_messages():
        for text in (msgid, plural or ""):
            assert str(Markup.escape(text)) == text
    gettext_, ngettext_, pgettext_, npgettext_ = escaping_gettext(gettext.NullTranslations())
    assert pgettext_("ctx", "a < b") == Markup("a &lt; b")
    assert npgettext_("ctx", "%(num)d <x>", "%(num)d <xs>", 2) == Markup("%(num)d &lt;xs&gt;")
