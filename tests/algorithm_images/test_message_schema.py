"""The message contract: built messages validate, broken ones fail naming the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from gridedge.contract import messages as m

TASK = m.TaskIdentity("grid", "forecast", "uid-1")
AIRFLOW = m.AirflowIdentity("load_forecast", "manual__1", "train", 2)


def build(kind: m.Kind, **kw):
    return m.build_message(
        kind=kind,
        task=TASK,
        airflow=AIRFLOW,
        rank=1,
        world_size=4,
        algorithm="xgboost_train",
        sequence=3,
        payload=kw.pop("payload", {"metrics": {"rmse": 1.5}}),
        bytes_read=1000,
        bytes_sent=200,
        **kw,
    )


def test_result_warning_and_progress_validate_and_round_trip():
    warning = m.WarningInfo(
        "trafo-HS1",
        "transformer",
        m.Severity.CRITICAL,
        "TRANSFORMER_OVERLOAD",
        41.2,
        38.0,
        "MW",
        datetime(2016, 1, 5, 17, tzinfo=UTC),
        datetime(2016, 1, 5, 19, tzinfo=UTC),
        3,
    )
    for msg in (build(m.Kind.RESULT), build(m.Kind.PROGRESS), build(m.Kind.WARNING, warning=warning)):
        assert m.decode(m.encode(msg)) == msg
    result = build(m.Kind.RESULT)
    assert result["status"] == "succeeded"
    assert result["message_id"] == "uid-1/2/1/result/3"
    assert m.message_key(TASK) == "grid/forecast"


def test_failed_result_carries_error_and_retryability():
    msg = build(m.Kind.RESULT, error=m.ErrorInfo("PeerLost", "rank 2 vanished", m.ExitCode.RETRYABLE))
    m.validate(msg)
    assert msg["status"] == "failed"
    assert msg["error"]["retryable"] is True
    assert m.ErrorInfo("DataError", "x", 65).to_dict()["retryable"] is False


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("bytes"), "(message)"),
        (lambda d: d.update(kind="metric"), "kind"),
        (lambda d: d["bytes"].update(read=-1), "bytes/read"),
        (lambda d: d["task"].pop("namespace"), "task"),
        (lambda d: d.update(schema_version=2), "schema_version"),
    ],
)
def test_broken_messages_name_the_field(mutate, field):
    msg = build(m.Kind.RESULT)
    mutate(msg)
    with pytest.raises(m.MessageError, match=re.escape(f"message field {field}")):
        m.validate(msg)


def test_warning_kind_requires_the_warning_block():
    msg = build(m.Kind.PROGRESS)
    msg["kind"] = "warning"
    with pytest.raises(m.MessageError):
        m.validate(msg)


def test_only_retryable_exit_code_is_retryable():
    assert [c for c in m.ExitCode if m.is_retryable(c)] == [m.ExitCode.RETRYABLE]
    assert m.is_retryable(137) and m.is_retryable(-9)  # SIGKILL as Kubernetes and as subprocess report it
    assert not m.is_retryable(1)
