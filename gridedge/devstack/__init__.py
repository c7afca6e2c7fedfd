"""Local real services for the tests and the demo: Kafka, Kubernetes control planes, Airflow.

Called by ``tests/conftest.py`` fixtures and by the demo command. Everything runs on
127.0.0.1 as child processes in their own process groups; nothing here talks to a
container engine or the internet. Binaries come from ``scripts/provision_*.sh``,
cached under :func:`gridedge.devstack.paths.cache_dir`.
"""
