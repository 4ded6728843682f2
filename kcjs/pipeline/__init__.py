"""kcjs pipeline: CLI, rule pack, readers, runners, reporters, templates."""
__version__ = "0.1.0"
