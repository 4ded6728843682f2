"""Run the benchmarks in bench/ (each prints ratios against a baseline measured in the same run).

    python bench/run.py [--quick] [NAME ...]        e.g. bench/run.py --quick, bench/run.py read check

NAME: bench_NAME.py (default: every one). --quick (or KCJS_BENCH_QUICK=1): fewer files and repeats and no
OCR, and by default only the reading, checking and start-up benchmarks (about 2–3 minutes on a loaded
2-core machine; the first run also builds the corpus, see benchcorpus.py).
"""
import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
QUICK = ("read", "check", "startup")

sys.path.insert(0, str(HERE))  # for bench/timing.py, bench/benchcorpus.py
args = sys.argv[1:]
if "--quick" in args:
    args.remove("--quick")
    os.environ["KCJS_BENCH_QUICK"] = "1"
names = args or (QUICK if os.environ.get("KCJS_BENCH_QUICK", "") not in ("", "0") else None)
scripts = [HERE / f"bench_{n}.py" for n in names] if names else sorted(HERE.glob("bench_*.py"))
for script in scripts:
    print(f"== {script.name}", flush=True)
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")
