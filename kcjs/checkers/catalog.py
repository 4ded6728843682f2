"""Every checker in the order they run, and every module that declares rules (so the registry is complete)."""
from kcjs.checkers import (budget, conditions, dates, eligibility, language, length, placeholders, sections, stamps,
                           targets)

CHECKERS = [sections, placeholders, targets, budget, length, eligibility, conditions, dates, stamps, language]

# Modules whose rules no per-document checker reports: imported by registry.all_rules(), not by every
# `kcjs check` (the narrative comparison alone imports NumPy).
DECLARING = ("kcjs.checkers.limits",           # cross-submission rules (kcjs audit)
             "kcjs.pipeline.readers",          # file.* rules
             "kcjs.pipeline.audit.narrative")  # dup.narrative (kcjs audit)
