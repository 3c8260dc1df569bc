"""``locum export`` and ``locum import`` end to end through the command line, on the fixture project:
an XLIFF edited as a CAT tool would comes back pending, TMX goes out and into another project's memory, TBX
goes out, and a file of another kind is refused with exit 2."""

from __future__ import annotations

from lxml import etree

from workflow.config import load_config
from workflow.exchange.xliff import NS
from workflow.review import verify

X = {"x": NS}


def test_xliff_out_edited_and_back_through_the_cli(site_project, locum, tmp_path):
    before = {(i.catalog, i.id): i.verdict.state for i in verify(load_config(site_project), "es")}
    out = tmp_path / "es.xlf"
    result = locum(site_project, "export", "--format", "xliff", "--locale", "es", "--output", str(out))
    assert result.code == 0 and "xliff written" in result.err
    tree = etree.parse(str(out))
    unit = tree.xpath("//x:trans-unit[x:target[@state='signed-off']]", namespaces=X)[0]
    target = unit.find("x:target", X)
    target.text = (target.text or "") + " (revisado)"
    target.set("state", "signed-off")               # a CAT tool's sign-off: never a Locum approval
    tree.write(str(out), xml_declaration=True, encoding="utf-8")

    result = locum(site_project, "import", str(out))
    assert result.code == 0, result.err
    assert f"[{unit.get('id')}] back as pending" in result.out
    after = {(i.catalog, i.id): i.verdict.state for i in verify(load_config(site_project), "es")}
    changed = {key for key in before if before[key] != after.get(key)}
    assert changed == {("es", unit.get("id"))} and after[("es", unit.get("id"))] == "stale"


def test_tmx_out_of_one_project_into_the_memory_of_another(site_project, project, locum, tmp_path):
    out = tmp_path / "ours.tmx"
    assert locum(site_project, "export", "--format", "tmx", "--locale", "es", "--output", str(out)).code == 0
    assert b"<tmx" in out.read_bytes() and b"@example.org" not in out.read_bytes()
    result = locum(project, "import", str(out), "--name", "partner")
    assert result.code == 0, result.err
    assert (project / "locales" / "memory" / "partner.tmx").is_file()
    assert "pair(s) into es" in result.out


def test_tbx_out_on_standard_output(site_project, locum):
    result = locum(site_project, "export", "--format", "tbx")
    assert result.code == 0 and "<tbx" in result.out
    assert "conceptEntry" in result.out and "paracetamol" in result.out and "xml:lang=\"es-US\"" in result.out


def test_xliff_needs_a_locale_and_an_unknown_file_is_refused(site_project, locum, tmp_path):
    assert locum(site_project, "export", "--format", "xliff").code == 2
    other = tmp_path / "notes.xml"
    other.write_text('<?xml version="1.0"?>\n<notes/>\n')
    result = locum(site_project, "import", str(other))
    assert result.code == 2 and "not an XLIFF or TMX file" in result.err
    assert locum(site_project, "import", str(tmp_path / "missing.xlf")).code == 2
