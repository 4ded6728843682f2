"""Imports every module that declares rules, so the registry is complete."""
import pipeline.readers  # noqa: F401  file.* rules
