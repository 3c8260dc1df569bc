"""The command line end to end: help, project discovery, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

from workflow.cli import main


def test_help_lists_the_stages(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("extract", "update", "--project"):
        assert command in out


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_not_a_project(tmp_path, capsys):
    assert main(["--project", str(tmp_path), "extract"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("locales/locum.toml: error: no configuration found")


def test_python_dash_m_works_in_the_current_directory(project):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "workflow", "extract"], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (project / "locales" / "pain-relief.pot").exists()
    assert "extract: 3 template(s) written" in result.stdout


def test_the_program_flushes_its_output_and_keeps_its_exit_status(project, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "workflow", "--project", str(tmp_path), "extract"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "no configuration found" in result.stderr
    result = subprocess.run([sys.executable, "-m", "workflow", "--project", str(project), "stats"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("locale  article") and result.stdout.endswith("\n")


def test_extract_names_what_it_wrote(project, locum):
    result = locum(project, "extract")
    assert result.code == 0
    assert result.out.count("wrote ") == 3


def test_makefile_targets_are_defined_once():
    result = subprocess.run(["make", "-n", "-C", str(REPO), "help"], capture_output=True, text=True)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    for target in ("publish", "test", "check", "stats", "preview", "serve", "bench", "clean", "tools"):
        assert f"\n{target}:" in (REPO / "Makefile").read_text()
