"""Imports every module that declares rules, so the registry is complete."""
