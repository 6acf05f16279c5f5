"""Presenting results to people and programs: the only place rich is imported."""
