"""The publisher on a real broker: schema-valid, keyed, ordered messages with byte accounting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gridedge.contract.messages import ErrorInfo, ExitCode, Kind, Severity, WarningInfo, encode
from gridedge_sdk.config import from_env
from gridedge_sdk.errors import PublishFailed
from gridedge_sdk.publisher import ByteCounter, Publisher
from tests.algorithm_images.helpers import consume, task_env, topics


def test_messages_arrive_valid_in_order_and_count_their_own_bytes(kafka_broker, tmp_path):
    names = topics("pub")
    kafka_broker.create_topics(list(names.values()))
    env = task_env(
        2,
        1,
        tmp_path,
        kafka_broker.bootstrap,
        GRIDEDGE_RESULTS_TOPIC=names["results"],
        GRIDEDGE_WARNINGS_TOPIC=names["warnings"],
        GRIDEDGE_PROGRESS_TOPIC=names["progress"],
        GRIDEDGE_TASK_UID="uid-7",
        GRIDEDGE_TRY_NUMBER="1",
    )
    counter = ByteCounter()
    counter.add_read(123_456)
    pub = Publisher(from_env(env), "statistics", counter)
    sent = [pub.publish(Kind.PROGRESS, {"progress": {"step": i, "total": 3, "fraction": i / 3}}) for i in range(3)]
    warning = WarningInfo(
        "trafo-1",
        "transformer",
        Severity.CRITICAL,
        "TRANSFORMER_OVERLOAD",
        44.0,
        40.0,
        "MW",
        datetime(2016, 1, 1, tzinfo=UTC),
        datetime(2016, 1, 1, 3, tzinfo=UTC),
        4,
    )
    sent.append(pub.publish(Kind.WARNING, {}, warning=warning))
    sent.append(pub.publish(Kind.RESULT, {"statistics": {"trafo-1": {"peak": 44.0}}}))
    pub.close()

    progress = consume(kafka_broker.bootstrap, names["progress"], 3)
    warnings = consume(kafka_broker.bootstrap, names["warnings"], 1)
    results = consume(kafka_broker.bootstrap, names["results"], 1)
    assert [m["sequence"] for m in progress] == [0, 1, 2]
    assert warnings[0]["warning"]["code"] == "TRANSFORMER_OVERLOAD" and warnings[0]["warning"]["intervals"] == 4
    assert results[0]["status"] == "succeeded" and results[0]["message_id"] == "uid-7/1/1/result/4"
    # bytes.sent is cumulative and includes the message itself, exactly.
    received = [*progress, *warnings, *results]
    assert [m["bytes"]["sent"] for m in received] == [
        sum(len(encode(s)) for s in sent[: i + 1]) for i in range(len(sent))
    ]
    assert all(m["bytes"]["read"] == 123_456 for m in received)
    assert counter.sent == sum(len(encode(s)) for s in sent)


def test_failed_result_validates(kafka_broker, tmp_path):
    names = topics("fail")
    kafka_broker.create_topics(list(names.values()))
    env = task_env(1, 0, tmp_path, kafka_broker.bootstrap, GRIDEDGE_RESULTS_TOPIC=names["results"])
    pub = Publisher(from_env(env), "xgboost_train", ByteCounter())
    pub.publish(Kind.RESULT, {}, error=ErrorInfo("DataError", "data path /x does not exist", ExitCode.DATA))
    pub.close()
    (msg,) = consume(kafka_broker.bootstrap, names["results"], 1)
    assert msg["status"] == "failed" and msg["error"]["retryable"] is False


def test_undeliverable_messages_raise_publish_failed(tmp_path):
    env = task_env(1, 0, tmp_path, "127.0.0.1:1")  # nothing listens on port 1
    pub = Publisher(from_env(env), "statistics", ByteCounter())
    pub.publish(Kind.PROGRESS, {})
    with pytest.raises(PublishFailed, match=r"not delivered to Kafka at 127\.0\.0\.1:1"):
        pub.close(timeout=1.0)
