"""Shared fixtures."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.packloader import load_pack

TESTS = Path(__file__).parent


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
