"""Packaging: one `kcjs` namespace, and the installed package declares exactly what it imports."""
from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import kcjs

PACKAGE = Path(kcjs.__file__).parent
# Declared though never imported: what an imported library needs at run time but does not declare itself.
RUNTIME_ONLY = {"onnxruntime": "rapidocr's inference engine; rapidocr does not declare it",
                "python-multipart": "FastAPI's form parser (kcjs serve's uploads); FastAPI does not declare it"}


def imported_top_level() -> set[str]:
    """Top-level names of the absolute imports in every module of the installed kcjs package."""
    names: set[str] = set()
    for py in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"kcjs", "__future__"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    dist = next(d for d in metadata.distributions(name="kcjs") if str(d._path).endswith(".dist-info"))
    reqs = dist.requires or []
    return {_norm(re.split(r"[ <>=!~;\[]", r, maxsplit=1)[0]) for r in reqs if "extra ==" not in r}


def test_every_import_is_declared_and_every_declared_dependency_used():
    dists = metadata.packages_distributions()
    used = set()
    for mod in imported_top_level():
        assert mod in dists, f"{mod} is imported but no installed distribution provides it"
        used |= {_norm(d) for d in dists[mod]}
    dec = declared()
    assert used - dec == set(), f"imported but not declared: {sorted(used - dec)}"
    assert dec - used - set(RUNTIME_ONLY) == set(), f"declared but never imported: {sorted(dec - used - set(RUNTIME_ONLY))}"


def installed_top_level() -> set[str]:
    """Top-level import names the installed distribution puts on sys.path: from its RECORD for a normal
    install, from the editable finder's MAPPING for `pip install -e`."""
    dist = next(d for d in metadata.distributions(name="kcjs") if str(d._path).endswith(".dist-info"))
    files = dist.files or []
    finder = [f for f in files if f.name.startswith("__editable___kcjs") and f.name.endswith("_finder.py")]
    if finder:
        tree = ast.parse(Path(dist.locate_file(finder[0])).read_text(encoding="utf-8"))
        mapping = next(n.value for n in ast.walk(tree) if isinstance(n, ast.AnnAssign)
                       and getattr(n.target, "id", "") == "MAPPING")
        return set(ast.literal_eval(mapping))
    return {f.parts[0].removesuffix(".py") for f in files
            if not f.parts[0].endswith(".dist-info") and f.parts[0] not in ("..", "__pycache__") and not f.name.endswith(".pth")}


def test_one_top_level_name():
    """The distribution installs no top-level package but kcjs (no generic `pipeline` or `templates`)."""
    assert installed_top_level() == {"kcjs"}


def test_data_files_inside_the_package():
    """Rule pack, notice text, .docx templates and bundled samples ship inside kcjs."""
    assert (PACKAGE / "pipeline/packs/jiangsu-kcjs-2024.yaml").is_file()
    assert (PACKAGE / "pipeline/packs/notice-2024.txt").is_file()
    assert {p.name for p in (PACKAGE / "templates").glob("*.docx")} >= {"application.docx", "deliverable.docx"}
    assert len(list((PACKAGE / "corpus/samples").iterdir())) >= 8
