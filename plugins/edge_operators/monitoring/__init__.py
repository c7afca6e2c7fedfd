"""GridEdge's monitoring page: a FastAPI app served inside the Airflow api-server.

Registered by :mod:`edge_operators.monitoring.monitoring_plugin`. Data access (the edge
clusters, Airflow's metadata, the registry) lives in small typed reader modules; HTML is
built only in :mod:`.page_render` and :mod:`.svg_chart`. Nothing here writes to a cluster.

Module names are unique on purpose: Airflow's plugin manager executes every ``.py`` file
under the plugins folder as a top-level module named after the file's stem.
"""
