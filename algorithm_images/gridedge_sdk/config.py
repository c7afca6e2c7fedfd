"""The frozen task config every entrypoint starts from, parsed once from the environment.

Called by :func:`gridedge_sdk.runner.run`. Collects *every* problem before failing, so one
:class:`ConfigError` line lists what was missing or malformed and what was expected. Must
not open files, sockets or Kafka connections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gridedge.contract import names
from gridedge.contract.messages import AirflowIdentity, TaskIdentity
from gridedge.contract.network import NetworkInfo
from gridedge_sdk.errors import ConfigError
from gridedge_sdk.params import Params, parse_params

REQUIRED_ENV = (
    names.ENV_NETWORK_INFO,
    names.ENV_RANK,
    names.ENV_WORLD_SIZE,
    names.ENV_TASK_NAMESPACE,
    names.ENV_TASK_NAME,
    names.ENV_KAFKA_BOOTSTRAP,
    names.ENV_DATA_PATH,
)
OPTIONAL_ENV = (
    names.ENV_TASK_UID,
    names.ENV_DAG_ID,
    names.ENV_RUN_ID,
    names.ENV_AIRFLOW_TASK_ID,
    names.ENV_TRY_NUMBER,
    names.ENV_RESULTS_TOPIC,
    names.ENV_WARNINGS_TOPIC,
    names.ENV_PROGRESS_TOPIC,
    names.ENV_OUTPUT_PATH,
    names.ENV_PARAMS,
    names.ENV_KAFKA_SECURITY_PROTOCOL,
    names.ENV_KAFKA_SASL_MECHANISM,
    names.ENV_KAFKA_USERNAME,
    names.ENV_KAFKA_PASSWORD,
)
_KAFKA_SETTINGS = {
    names.ENV_KAFKA_SECURITY_PROTOCOL: "security.protocol",
    names.ENV_KAFKA_SASL_MECHANISM: "sasl.mechanism",
    names.ENV_KAFKA_USERNAME: "sasl.username",
    names.ENV_KAFKA_PASSWORD: "sasl.password",
}


@dataclass(frozen=True)
class TaskConfig:
    task: TaskIdentity
    airflow: AirflowIdentity
    rank: int
    world_size: int
    network: NetworkInfo
    kafka_bootstrap: str
    kafka_settings: Mapping[str, str]  # librdkafka security settings from the result sink
    results_topic: str
    warnings_topic: str
    progress_topic: str
    data_path: Path
    output_path: Path | None
    params: Params
    environ: Mapping[str, str]

    @property
    def is_master(self) -> bool:
        return self.rank == 0

    def require_output_path(self) -> Path:
        if self.output_path is None:
            raise ConfigError(f"{names.ENV_OUTPUT_PATH} is required by this algorithm (where rank 0 writes the model)")
        return self.output_path


def from_env(environ: Mapping[str, str]) -> TaskConfig:
    """Parse ``environ``; raise one :class:`ConfigError` listing every problem."""
    problems: list[str] = []
    missing = [n for n in REQUIRED_ENV if not environ.get(n, "").strip()]
    if missing:
        problems.append(f"missing {', '.join(missing)}")

    def integer(name: str, minimum: int) -> int | None:
        raw = environ.get(name, "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name}={raw!r} is not an integer")
            return None
        if value < minimum:
            problems.append(f"{name}={value} must be >= {minimum}")
            return None
        return value

    rank = integer(names.ENV_RANK, 0)
    world_size = integer(names.ENV_WORLD_SIZE, 1)
    try_number = integer(names.ENV_TRY_NUMBER, 0)
    network: NetworkInfo | None = None
    if environ.get(names.ENV_NETWORK_INFO, "").strip():
        try:
            network = NetworkInfo.from_json(environ[names.ENV_NETWORK_INFO])
        except ValueError as e:
            problems.append(f"{names.ENV_NETWORK_INFO}: {e}")
    if rank is not None and world_size is not None and rank >= world_size:
        problems.append(f"{names.ENV_RANK}={rank} must be below {names.ENV_WORLD_SIZE}={world_size}")
    if network is not None and world_size is not None and network.world_size != world_size:
        problems.append(
            f"{names.ENV_NETWORK_INFO} has worldSize {network.world_size}, {names.ENV_WORLD_SIZE}={world_size}"
        )
    params: Params | None = None
    try:
        params = parse_params(environ.get(names.ENV_PARAMS))
    except ConfigError as e:
        problems.append(str(e))

    if problems or rank is None or world_size is None or network is None or params is None:
        expected = ", ".join(REQUIRED_ENV)
        raise ConfigError(f"invalid task environment: {'; '.join(problems)} (expected {expected})")

    def opt(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value or None

    output = opt(names.ENV_OUTPUT_PATH)
    return TaskConfig(
        task=TaskIdentity(environ[names.ENV_TASK_NAMESPACE], environ[names.ENV_TASK_NAME], opt(names.ENV_TASK_UID)),
        airflow=AirflowIdentity(
            opt(names.ENV_DAG_ID), opt(names.ENV_RUN_ID), opt(names.ENV_AIRFLOW_TASK_ID), try_number
        ),
        rank=rank,
        world_size=world_size,
        network=network,
        kafka_bootstrap=environ[names.ENV_KAFKA_BOOTSTRAP].strip(),
        kafka_settings={key: environ[env] for env, key in _KAFKA_SETTINGS.items() if environ.get(env)},
        results_topic=opt(names.ENV_RESULTS_TOPIC) or names.RESULTS_TOPIC,
        warnings_topic=opt(names.ENV_WARNINGS_TOPIC) or names.WARNINGS_TOPIC,
        progress_topic=opt(names.ENV_PROGRESS_TOPIC) or names.PROGRESS_TOPIC,
        data_path=Path(environ[names.ENV_DATA_PATH].strip()),
        output_path=Path(output) if output else None,
        params=params,
        environ=dict(environ),
    )
