"""Markers for tests that need a real tool users have (LibreOffice, Chromium): skipped with the reason when
the tool is absent, and failed instead under CI=true (tests/conftest.py), where .ci/run installs it."""
from __future__ import annotations

import shutil

import pytest


def which_any(*names: str) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


def needs(*names: str):
    """skipif none of `names` is on PATH, e.g. @needs("soffice") or @needs("chromium", "chromium-browser")."""
    return pytest.mark.skipif(which_any(*names) is None, reason=f"{' / '.join(names)} is not installed")
