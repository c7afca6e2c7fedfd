"""GridEdge's shared core: the contracts every part agrees on and the local dev stack.

Imported by the Airflow plugin, the edge controller, the algorithm SDK and the tests.
It must not import Airflow or kopf: those sit above it.
"""

__version__ = "0.1.0"
