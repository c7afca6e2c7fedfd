"""Hooks to edge clusters (sync and async), over the cncf.kubernetes provider's hooks."""
