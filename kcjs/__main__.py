"""`python -m kcjs …` (e.g. `py -m kcjs serve` on Windows, where the kcjs script may not be on PATH)."""
from kcjs.pipeline.cli import app

if __name__ == "__main__":  # the batch audit's spawned workers import this module again: run nothing then
    app(prog_name="kcjs")
