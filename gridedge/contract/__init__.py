"""The contracts several parts of GridEdge share; one source of truth each.

- :mod:`.names`: API group, labels, annotations and reserved environment names.
- :mod:`.network`: the network info the controller builds and every rank reads.
- :mod:`.templates`: ``${placeholder}`` env templates filled from the network info.

Imported by the controller, the Airflow plugin, the algorithm SDK and the local
runtime. Pure: no I/O, no Airflow, no kopf, no Kubernetes client.
"""
