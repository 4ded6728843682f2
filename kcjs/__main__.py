"""`python -m kcjs …` (e.g. `py -m kcjs serve` on Windows, where the kcjs script may not be on PATH)."""
from kcjs.pipeline.cli import app

app(prog_name="kcjs")
