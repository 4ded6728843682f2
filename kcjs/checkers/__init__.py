"""Checkers: one module per concern, each a pure function (Document, requirements) -> findings."""
