"""Grid data for GridEdge's algorithms: real SimBench load profiles prepared as edge sites.

- :mod:`.simbench_profiles`: read the distinct real-derived load profiles SimBench ships.
- :mod:`.features`: day-ahead load-forecast features (lags of at least a day, calendar).
- :mod:`.prepare`: the command that writes one folder per edge site (``python -m gridedge.data``).

Used by the demo, the tests and planners preparing a site. Never imported by the algorithm
SDK's runtime path (images receive prepared files, not this package's logic).
"""
