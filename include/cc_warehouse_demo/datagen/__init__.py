"""Deterministic synthetic data for the platform stand-in: `generate(GenConfig(...))`."""
