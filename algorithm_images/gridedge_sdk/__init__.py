"""The GridEdge algorithm SDK: the development specification every algorithm image follows.

Parse the environment and reserved parameters, read this rank's data shard, compute,
publish results and warnings. Imports neither Airflow nor kopf (docs/algorithms.md).

- :mod:`.runner`: ``run(name, body)``, the whole specification; ``Context`` for the body.
- :mod:`.config`, :mod:`.params`: the frozen config from the environment, typed parameters.
- :mod:`.shards`: this rank's rows of a Parquet/CSV file or folder of parts.
- :mod:`.publisher`: results, warnings, progress on Kafka, with byte accounting.
- :mod:`.exchange`, :mod:`.watchdog`: all-gather between ranks; a stall watchdog.
- :mod:`.errors`: ConfigError, DataError, RetryableError (PeerLost, PublishFailed).
- :mod:`.algorithms`: the XGBoost, LightGBM and statistics entrypoints.
"""
