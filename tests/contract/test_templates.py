"""Env templates fill placeholders from the network info as plain text."""

from __future__ import annotations

import pytest

from gridedge.contract.network import kubernetes_network, local_network
from gridedge.contract.templates import TemplateError, check, placeholders_in, render, template_values


def test_placeholders_are_filled_per_rank() -> None:
    net = local_network("ns", "job", 3, 40000, [40001, 40002, 40003])
    values = template_values(net, 2)
    assert render("--rank=${rank} --peers=${machines} --me=${host}:${port}", values) == (
        "--rank=2 --peers=127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003 --me=127.0.0.1:40003"
    )


def test_jinja_kubernetes_and_escapes_pass_through() -> None:
    values = template_values(local_network("ns", "job", 1, 40000, [40001]), 0)
    assert render("{{ ds }} $(HOME) $$ ${ world_size } $x", values) == "{{ ds }} $(HOME) $ 1 $x"


def test_unknown_placeholder_names_it_and_lists_known() -> None:
    values = template_values(kubernetes_network("ns", "job", 2, 29500, 29501), 0)
    with pytest.raises(TemplateError) as err:
        render("${master_adr}", values)
    assert err.value.placeholder == "master_adr"
    assert "${master_adr}" in str(err.value) and "master_addr" in str(err.value)


def test_unterminated_placeholder_is_an_error() -> None:
    with pytest.raises(TemplateError, match="unterminated"):
        check("x=${rank")


def test_substitution_never_evaluates() -> None:
    values = {"rank": "${world_size}"}
    assert render("${rank}", values) == "${world_size}"
    assert placeholders_in("$${rank}") == []
