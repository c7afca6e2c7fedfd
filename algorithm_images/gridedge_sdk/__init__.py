"""The GridEdge algorithm SDK: the development specification every algorithm image follows.

Parse the environment and reserved parameters, read this rank's data shard, compute,
publish results and warnings. Imports neither Airflow nor kopf.
"""
