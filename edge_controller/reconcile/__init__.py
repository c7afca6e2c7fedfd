"""The status state machine: (EdgeTask, its Pods, now) → a Plan of status and child changes.

Called once per tick by the kopf handlers (``edge_controller.handlers``), which carry the
plan out. Pure: no I/O, no kopf, no clock (``now`` is an argument), so every transition is
unit-tested alone. See docs/controller.md for the phase machine.
"""
