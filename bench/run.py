"""Run every benchmark in bench/ (each prints ratios against a baseline measured in the same run)."""
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # for bench/timing.py
for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    print(f"== {script.name}")
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")
