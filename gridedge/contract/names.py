"""Names on the wire: the EdgeTask API, labels, annotations, reserved env variables.

Everything that two parts must spell the same way is spelled here once.
"""

from __future__ import annotations

from typing import Final

GROUP: Final = "gridedge.io"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"
KIND: Final = "EdgeTask"
PLURAL: Final = "edgetasks"
SINGULAR: Final = "edgetask"
SHORT_NAME: Final = "et"

# Labels on EdgeTasks (set by the Airflow operator) and on their Pods/Services (controller).
LABEL_TASK_NAME: Final = "gridedge.io/task-name"
LABEL_RANK: Final = "gridedge.io/rank"
LABEL_ROLE: Final = "gridedge.io/role"
LABEL_DAG_ID: Final = "gridedge.io/dag-id"
LABEL_TASK_ID: Final = "gridedge.io/task-id"
LABEL_RUN_ID: Final = "gridedge.io/run-id"  # sanitised to a label value; full value in the annotation
LABEL_TRY_NUMBER: Final = "gridedge.io/try-number"
LABEL_MAP_INDEX: Final = "gridedge.io/map-index"
LABEL_SITE: Final = "gridedge.io/site"
ANNOTATION_RUN_ID: Final = "gridedge.io/run-id"
ANNOTATION_DAG_ID: Final = "gridedge.io/dag-id"
ANNOTATION_TASK_ID: Final = "gridedge.io/task-id"
# On Pods (controller): which run of the group the Pod belongs to (0, then +1 per group restart).
ANNOTATION_ATTEMPT: Final = "gridedge.io/attempt"
LABEL_MANAGED_BY: Final = "app.kubernetes.io/managed-by"
MANAGED_BY: Final = "gridedge-edge-controller"

ROLE_MASTER: Final = "master"
ROLE_WORKER: Final = "worker"

# Kafka topics (defaults; an EdgeTask's resultSink may name others).
RESULTS_TOPIC: Final = "gridedge.results"
WARNINGS_TOPIC: Final = "gridedge.warnings"
PROGRESS_TOPIC: Final = "gridedge.progress"

# ---- Environment injected into every rank's container --------------------------------
ENV_NETWORK_INFO: Final = "GRIDEDGE_NETWORK_INFO"  # the whole network info as JSON
ENV_RANK: Final = "GRIDEDGE_RANK"
ENV_ROLE: Final = "GRIDEDGE_ROLE"
ENV_WORLD_SIZE: Final = "GRIDEDGE_WORLD_SIZE"
ENV_TASK_NAMESPACE: Final = "GRIDEDGE_TASK_NAMESPACE"
ENV_TASK_NAME: Final = "GRIDEDGE_TASK_NAME"
ENV_TASK_UID: Final = "GRIDEDGE_TASK_UID"
ENV_DAG_ID: Final = "GRIDEDGE_DAG_ID"
ENV_RUN_ID: Final = "GRIDEDGE_RUN_ID"
ENV_AIRFLOW_TASK_ID: Final = "GRIDEDGE_AIRFLOW_TASK_ID"
ENV_TRY_NUMBER: Final = "GRIDEDGE_TRY_NUMBER"
ENV_KAFKA_BOOTSTRAP: Final = "GRIDEDGE_KAFKA_BOOTSTRAP"
ENV_RESULTS_TOPIC: Final = "GRIDEDGE_RESULTS_TOPIC"
ENV_WARNINGS_TOPIC: Final = "GRIDEDGE_WARNINGS_TOPIC"
ENV_PROGRESS_TOPIC: Final = "GRIDEDGE_PROGRESS_TOPIC"
ENV_DATA_PATH: Final = "GRIDEDGE_DATA_PATH"  # this rank's data location (file or folder) inside the container
ENV_OUTPUT_PATH: Final = "GRIDEDGE_OUTPUT_PATH"  # where rank 0 writes a model or other artefacts
ENV_PARAMS: Final = "GRIDEDGE_PARAMS"  # the task's reserved parameters as a JSON object
# Set only when the EdgeTask's resultSink names them (credentials come from a Secret).
ENV_KAFKA_SECURITY_PROTOCOL: Final = "GRIDEDGE_KAFKA_SECURITY_PROTOCOL"
ENV_KAFKA_SASL_MECHANISM: Final = "GRIDEDGE_KAFKA_SASL_MECHANISM"
ENV_KAFKA_USERNAME: Final = "GRIDEDGE_KAFKA_USERNAME"
ENV_KAFKA_PASSWORD: Final = "GRIDEDGE_KAFKA_PASSWORD"

# Framework presets: Kubeflow-v1 names (generic, and read by the paper's algorithms) ...
ENV_MASTER_ADDR: Final = "MASTER_ADDR"
ENV_MASTER_PORT: Final = "MASTER_PORT"
ENV_KF_WORLD_SIZE: Final = "WORLD_SIZE"
ENV_KF_RANK: Final = "RANK"
ENV_WORKER_ADDRS: Final = "WORKER_ADDRS"  # comma-separated host:port of every rank, in rank order
ENV_WORKER_PORT: Final = "WORKER_PORT"
# ... XGBoost collective (rabit) names ...
ENV_DMLC_TRACKER_URI: Final = "DMLC_TRACKER_URI"
ENV_DMLC_TRACKER_PORT: Final = "DMLC_TRACKER_PORT"
ENV_DMLC_TASK_ID: Final = "DMLC_TASK_ID"
ENV_DMLC_NUM_WORKER: Final = "DMLC_NUM_WORKER"
# ... and LightGBM's machine list.
ENV_LGBM_MACHINES: Final = "LIGHTGBM_MACHINES"  # comma-separated host:port, in rank order
ENV_LGBM_LOCAL_LISTEN_PORT: Final = "LIGHTGBM_LOCAL_LISTEN_PORT"
ENV_LGBM_NUM_MACHINES: Final = "LIGHTGBM_NUM_MACHINES"

RESERVED_ENV: Final = frozenset(
    {
        ENV_NETWORK_INFO,
        ENV_RANK,
        ENV_ROLE,
        ENV_WORLD_SIZE,
        ENV_TASK_NAMESPACE,
        ENV_TASK_NAME,
        ENV_TASK_UID,
        ENV_DAG_ID,
        ENV_RUN_ID,
        ENV_AIRFLOW_TASK_ID,
        ENV_TRY_NUMBER,
        ENV_KAFKA_BOOTSTRAP,
        ENV_RESULTS_TOPIC,
        ENV_WARNINGS_TOPIC,
        ENV_PROGRESS_TOPIC,
        ENV_DATA_PATH,
        ENV_OUTPUT_PATH,
        ENV_PARAMS,
        ENV_KAFKA_SECURITY_PROTOCOL,
        ENV_KAFKA_SASL_MECHANISM,
        ENV_KAFKA_USERNAME,
        ENV_KAFKA_PASSWORD,
        ENV_MASTER_ADDR,
        ENV_MASTER_PORT,
        ENV_KF_WORLD_SIZE,
        ENV_KF_RANK,
        ENV_WORKER_ADDRS,
        ENV_WORKER_PORT,
        ENV_DMLC_TRACKER_URI,
        ENV_DMLC_TRACKER_PORT,
        ENV_DMLC_TASK_ID,
        ENV_DMLC_NUM_WORKER,
        ENV_LGBM_MACHINES,
        ENV_LGBM_LOCAL_LISTEN_PORT,
        ENV_LGBM_NUM_MACHINES,
    }
)
"""Names the system injects; a user env entry that sets one is a validation error."""
