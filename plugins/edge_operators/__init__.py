"""GridEdge's Airflow provider code: hook, operator, sensor, triggers and UI plugin.

Loaded by Airflow from the plugins folder (and importable as ``edge_operators``).
"""
