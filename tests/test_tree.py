"""Nothing from outside the project: links and odd entries in source/ are errors, never followed.

Each case plants one bad entry in a published project; every command that
reads source/ (extract, update, build, publish) then exits 2 naming the
entry, and the project is byte-for-byte as it was.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from conftest import snapshot as files

SECRET = "secret outside the project\n"


def _outside(project: Path, name: str, text: str = SECRET) -> Path:
    path = project.parent / name
    path.write_text(text, encoding="utf-8")
    return path


def link_in_images(project: Path) -> str:
    (project / "source/images").mkdir(exist_ok=True)
    target = Path("/etc/hostname") if Path("/etc/hostname").is_file() else _outside(project, "hostname")
    os.symlink(target, project / "source/images/host.png")
    return "source/images/host.png"


def link_in_image_subfolder(project: Path) -> str:
    (project / "source/images/diagrams").mkdir(parents=True)
    os.symlink(_outside(project, "secret.svg"), project / "source/images/diagrams/dose.svg")
    return "source/images/diagrams/dose.svg"


def linked_article(project: Path) -> str:
    text = (project / "source/pain-relief.md").read_text(encoding="utf-8")
    os.symlink(_outside(project, "elsewhere.md", text), project / "source/elsewhere.md")
    return "source/elsewhere.md"


def link_to_an_article_inside(project: Path) -> str:
    os.symlink("pain-relief.md", project / "source/alias.md")
    return "source/alias.md"


def dangling_link(project: Path) -> str:
    os.symlink(project / "source/nowhere.md", project / "source/gone.md")
    return "source/gone.md"


def folder_named_like_an_article(project: Path) -> str:
    (project / "source/x.md").mkdir()
    (project / "source/x.md/notes.txt").write_text("hello\n", encoding="utf-8")
    return "source/x.md"


def empty_folder_named_like_an_article(project: Path) -> str:
    (project / "source/y.md").mkdir()
    return "source/y.md"


def fifo(project: Path) -> str:
    os.mkfifo(project / "source/pipe.md")
    return "source/pipe.md"


def fifo_in_images(project: Path) -> str:
    (project / "source/images").mkdir(exist_ok=True)
    os.mkfifo(project / "source/images/pipe.png")
    return "source/images/pipe.png"


def unix_socket(project: Path) -> str:
    (project / "source/images").mkdir(exist_ok=True)
    server = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    os.chdir(project / "source/images")        # a short name: socket paths are limited to ~100 bytes
    try:
        server.bind("sock")
    finally:
        os.chdir(cwd)
        server.close()
    return "source/images/sock"


def linked_images_folder(project: Path) -> str:
    elsewhere = project.parent / "pictures"
    elsewhere.mkdir()
    (elsewhere / "photo.png").write_bytes(b"\x89PNG outside")
    shutil.rmtree(project / "source/images", ignore_errors=True)
    os.symlink(elsewhere, project / "source/images")
    return "source/images"


def linked_source_folder(project: Path) -> str:
    shutil.move(project / "source", project.parent / "real-source")
    os.symlink(project.parent / "real-source", project / "source")
    return "source"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and its bytes, but the project lock's note of who last held it (any command writes it)."""
    found = files(root)
    found.pop(".cache/lock", None)
    return found


CASES = [link_in_images, link_in_image_subfolder, linked_article, link_to_an_article_inside, dangling_link,
         folder_named_like_an_article, empty_folder_named_like_an_article, fifo, fifo_in_images, unix_socket,
         linked_images_folder, linked_source_folder]
COMMANDS = ("extract", "update", "build", "publish")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_a_bad_entry_in_source_is_an_error_and_nothing_changes(case, site_project, locum):
    assert locum(site_project, "publish").code == 0     # recorded: a publish must not take the change for none
    (site_project / "source/images").mkdir(exist_ok=True)
    (site_project / "source/images/ok.png").write_bytes(b"\x89PNG fine")
    assert locum(site_project, "publish").code == 0
    shown = case(site_project)
    before = snapshot(site_project)
    for command in COMMANDS:
        result = locum(site_project, command)
        assert result.code == 2, (command, result)
        assert f"{shown}: error: " in result.err, (command, result.err)
        assert "Traceback" not in result.err
        assert snapshot(site_project) == before, command
    assert SECRET not in "".join(p.read_text(errors="replace") for p in (site_project / "output").rglob("*")
                                 if p.is_file())


def test_every_bad_entry_is_reported_at_once(project, locum):
    dangling_link(project)
    fifo(project)
    folder_named_like_an_article(project)
    before = snapshot(project)
    result = locum(project, "extract")
    assert result.code == 2
    assert [line.split(": error: ")[0] for line in result.err.splitlines()] == [
        "source/gone.md", "source/pipe.md", "source/x.md"]
    assert "a symbolic link to " in result.err and "a named pipe" in result.err and "a folder" in result.err
    assert snapshot(project) == before


def test_plain_folders_and_other_files_in_source_are_fine(site_project, locum):
    (site_project / "source/notes").mkdir()
    (site_project / "source/notes/todo.txt").write_text("later\n", encoding="utf-8")
    (site_project / "source/README.txt").write_text("articles live here\n", encoding="utf-8")
    (site_project / "source/images/x.md").mkdir(parents=True)       # not where an article is expected
    (site_project / "source/images/x.md/figure.png").write_bytes(b"\x89PNG figure")
    result = locum(site_project, "publish")
    assert result.code == 0, result.err
    assert (site_project / "output/images/x.md/figure.png").read_bytes() == b"\x89PNG figure"
    assert not (site_project / "output/images/notes").exists()


def test_a_publish_walks_source_once(site_project, locum, monkeypatch):
    """The snapshot and the five stages share one walk; an article added meanwhile waits for the next publish."""
    import workflow.build
    import workflow.project
    from workflow.config import load_config

    assert locum(site_project, "publish").code == 0
    (site_project / "source/pain-relief.md").write_text(
        (site_project / "source/pain-relief.md").read_text(encoding="utf-8") + "\nOne more sentence.\n",
        encoding="utf-8")
    walks, walk = [], workflow.project._walk_source

    def counted_walk(config, folder, top, *rest):
        if top:
            walks.append(folder)
        return walk(config, folder, top, *rest)

    monkeypatch.setattr(workflow.project, "_walk_source", counted_walk)
    build = workflow.build.build
    article = (site_project / "source/pain-relief.md").read_text(encoding="utf-8")

    def add_then_build(*args, **kwargs):
        (site_project / "source/added.md").write_text(article.replace("pain-relief", "added"), encoding="utf-8")
        return build(*args, **kwargs)

    monkeypatch.setattr("workflow.build.build", add_then_build)
    assert locum(site_project, "publish").code == 0
    assert walks == [str(site_project / "source")]
    assert not (site_project / "locales/added.pot").exists()
    monkeypatch.setattr("workflow.build.build", build)
    result = locum(site_project, "publish")
    assert result.code == 0 and "nothing changed" not in result.out
    assert (site_project / "locales/added.pot").exists() and len(walks) == 2
    assert "nothing changed" in locum(site_project, "publish").out
    with workflow.project.one_walk():
        (site_project / "source/gone.md").symlink_to(site_project / "source/nowhere.md")
        for _ in range(2):      # an error is never kept: each walk meets it
            with pytest.raises(workflow.project.SourceError, match="symbolic link"):
                workflow.project.source_tree(load_config(site_project))
