"""Every user-facing string has a Chinese translation: the catalogs are complete and cover the current code."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ["locale", "kb/locale", "tickets/locale"]
SOURCES = ["manage.py", "pyproject.toml", "portal", "infra", "kb", "tickets", "agents", "api", "templates", "locale"]


def _statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=True
    )
    return result.stderr


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_shipped_catalog_has_no_untranslated_or_fuzzy_entries(catalog):
    stats = _statistics(ROOT / catalog / "zh_Hans/LC_MESSAGES/django.po")
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_every_string_in_the_code_is_in_a_catalog_with_a_translation(tmp_path):
    # makemessages on a copy, so the working tree is never rewritten by a test run.
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    for catalog in CATALOGS:
        stats = _statistics(tmp_path / catalog / "zh_Hans/LC_MESSAGES/django.po")
        assert "untranslated" not in stats and "fuzzy" not in stats, f"{catalog}: {stats} (run `make messages`)"
