"""Every checker in the order they run, and every module that declares rules (so the registry is complete)."""
import kcjs.checkers.limits  # noqa: F401  cross-submission rules (kcjs audit)
import kcjs.pipeline.readers  # noqa: F401  file.* rules
import kcjs.pipeline.audit.narrative  # noqa: F401  dup.narrative (kcjs audit)
from kcjs.checkers import (budget, conditions, dates, eligibility, language, length, placeholders, sections, stamps,
                           targets)

CHECKERS = [sections, placeholders, targets, budget, length, eligibility, conditions, dates, stamps, language]
