"""Algorithm entrypoints, each run as ``python -m gridedge_sdk.algorithms.<name>``.

- :mod:`.xgboost_train`: distributed XGBoost (rank 0 runs the tracker).
- :mod:`.lightgbm_train`: data-parallel LightGBM over an explicit machine list.
- :mod:`.statistics`: per-asset load statistics and early warnings.

Each has ``main() -> int`` that calls :func:`gridedge_sdk.runner.run`; heavy libraries are
imported inside the body, after the environment has been checked.
"""
