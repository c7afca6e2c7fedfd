"""The frozen config: every problem listed in one line, parameters checked by type."""

from __future__ import annotations

import pytest

from gridedge.contract import names as n
from gridedge_sdk.config import REQUIRED_ENV, from_env
from gridedge_sdk.errors import ConfigError
from gridedge_sdk.params import parse_params
from tests.algorithm_images.helpers import task_env


def test_full_env_parses_into_a_frozen_config(tmp_path):
    env = task_env(2, 1, tmp_path, "127.0.0.1:9092", {"max_depth": 4}, GRIDEDGE_TRY_NUMBER="3")
    cfg = from_env(env)
    assert (cfg.rank, cfg.world_size, cfg.is_master) == (1, 2, False)
    assert cfg.network.world_size == 2 and cfg.airflow.try_number == 3
    assert cfg.results_topic == n.RESULTS_TOPIC and cfg.output_path is None
    assert cfg.params.integer("max_depth") == 4
    with pytest.raises(AttributeError):
        cfg.rank = 0  # type: ignore[misc]


def test_empty_env_lists_every_required_name():
    with pytest.raises(ConfigError) as e:
        from_env({})
    text = str(e.value)
    assert "\n" not in text
    for name in REQUIRED_ENV:
        assert name in text


def test_malformed_values_are_all_reported(tmp_path):
    env = task_env(2, 1, tmp_path, "k:9092")
    env.update({n.ENV_RANK: "one", n.ENV_WORLD_SIZE: "3", n.ENV_PARAMS: "{not json"})
    with pytest.raises(ConfigError) as e:
        from_env(env)
    text = str(e.value)
    assert "GRIDEDGE_RANK='one' is not an integer" in text
    assert "worldSize 2, GRIDEDGE_WORLD_SIZE=3" in text
    assert "GRIDEDGE_PARAMS is not valid JSON" in text


def test_rank_must_be_below_world_size(tmp_path):
    env = task_env(2, 1, tmp_path, "k:9092")
    env[n.ENV_RANK] = "2"
    with pytest.raises(ConfigError, match="GRIDEDGE_RANK=2 must be below GRIDEDGE_WORLD_SIZE=2"):
        from_env(env)


@pytest.mark.parametrize(
    ("getter", "value", "message"),
    [
        (lambda p: p.integer("rounds"), {"rounds": "10"}, "parameter 'rounds' must be an integer, got '10'"),
        (lambda p: p.integer("rounds", minimum=1), {"rounds": 0}, "parameter 'rounds' must be >= 1"),
        (lambda p: p.number("eta"), {"eta": True}, "parameter 'eta' must be a number"),
        (lambda p: p.choice("task", ("a", "b")), {"task": "c"}, "parameter 'task' must be one of a, b"),
        (lambda p: p.strings("features"), {"features": "x"}, "parameter 'features' must be a list"),
        (lambda p: p.string("label"), {}, "parameter 'label' is required"),
    ],
)
def test_malformed_parameters_name_the_parameter(getter, value, message):
    import json

    with pytest.raises(ConfigError, match=message):
        getter(parse_params(json.dumps(value)))


def test_params_must_be_an_object():
    with pytest.raises(ConfigError, match="must be a JSON object, got list"):
        parse_params("[1]")
