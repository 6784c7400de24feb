"""Validation schemas of the govshare actions: one module per concept."""
