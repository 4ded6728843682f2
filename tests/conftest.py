"""Shared fixtures."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kcjs.pipeline.cli import app
from kcjs.pipeline.packloader import load_pack

TESTS = Path(__file__).parent

# Skips whose reason names a missing tool (LibreOffice, Chromium, …) are failures under CI=true:
# CI installs those tools, so a skip there means a broken install, not an absent one.
MISSING_TOOL = ("not installed", "not on PATH", "missing tool")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if os.environ.get("CI") == "true" and rep.skipped and call.excinfo is not None:
        reason = str(call.excinfo.value)
        if any(m in reason for m in MISSING_TOOL):
            rep.outcome, rep.longrepr = "failed", f"skipped under CI=true, where the tool must be present: {reason}"


@pytest.fixture(scope="session")
def pack():
    return load_pack()


@pytest.fixture
def kcjs():
    """Run the CLI in-process: kcjs("rules", "--format", "json") -> (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        r = runner.invoke(app, list(args))
        if r.exception and not isinstance(r.exception, SystemExit):
            raise r.exception
        return r.exit_code, r.stdout, r.stderr

    return run


@pytest.fixture
def kcjs_json(kcjs):
    def run(*args: str):
        code, stdout, _ = kcjs(*args)
        return code, json.loads(stdout)
    return run
