"""The example EdgeTask in docs/algorithms.md runs as written (only the result sink differs)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from edge_controller.local import run_task
from gridedge.data.features import feature_columns
from tests.algorithm_images.helpers import consume, topics

DOC = Path(__file__).resolve().parents[2] / "docs" / "algorithms.md"


def test_the_documented_forecast_task_succeeds(kafka_broker, simbench_sites, tmp_path):
    (block,) = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    manifest = yaml.safe_load(block)
    assert manifest["spec"]["params"]["features"] == feature_columns()
    # Only the sink differs: this broker, and topics no other test writes to.
    names = topics("docs")
    manifest["spec"]["resultSink"] = {
        "bootstrapServers": kafka_broker.bootstrap,
        "resultsTopic": names["results"],
        "warningsTopic": names["warnings"],
        "progressTopic": names["progress"],
    }
    kafka_broker.create_topics(list(names.values()))
    status = run_task(manifest, tmp_path / "run", {"site-data": simbench_sites, "models": tmp_path / "models"})
    assert status.phase == "Succeeded", status.message
    assert (tmp_path / "models" / "forecast-site-00" / "model.txt").is_file()
    results = consume(kafka_broker.bootstrap, names["results"], 2)
    assert sorted(m["rank"] for m in results) == [0, 1]
    assert all(m["task"]["name"] == "forecast-site-00" and m["status"] == "succeeded" for m in results)
