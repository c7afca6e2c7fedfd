"""A small all-gather of JSON values between ranks over rank 0's master port.

For what the training libraries do not offer from Python: agreeing LightGBM feature bins
from every rank's quantiles before training, and summing held-out metrics after it. Rank
0 listens on ``network.master_port``; every other rank connects, sends one JSON line and
reads back the values of all ranks in rank order. Bounded by a deadline on every step;
a rank that never joins or vanishes is a :class:`PeerLost`. Must not be used while a
library holds the master port (the XGBoost tracker does: use its collective instead).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from typing import Any

from gridedge_sdk.config import TaskConfig
from gridedge_sdk.errors import PeerLost

log = logging.getLogger("gridedge_sdk.exchange")

DEFAULT_TIMEOUT_S = 120.0
MAX_LINE = 64 * 1024 * 1024


def bind_host(addr: str) -> str:
    """Listen on the master address itself when it is an IP, on all interfaces otherwise."""
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        return "0.0.0.0"
    return addr


def allgather(config: TaskConfig, tag: str, value: Any, timeout: float = DEFAULT_TIMEOUT_S) -> list[Any]:
    """Every rank's ``value`` in rank order, on every rank. ``tag`` names the step in errors."""
    if config.world_size == 1:
        return [value]
    deadline = time.monotonic() + timeout
    if config.rank == 0:
        return _serve(config, tag, value, deadline)
    return _join(config, tag, value, deadline)


def _remaining(deadline: float) -> float:
    return max(0.05, deadline - time.monotonic())


def _serve(config: TaskConfig, tag: str, value: Any, deadline: float) -> list[Any]:
    net = config.network
    values: dict[int, Any] = {0: value}
    conns: list[socket.socket] = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((bind_host(net.master_addr), net.master_port))
        server.listen(net.world_size)
        try:
            while len(values) < net.world_size:
                if time.monotonic() >= deadline:
                    absent = sorted(set(range(net.world_size)) - set(values))
                    raise PeerLost(f"exchange {tag!r}: ranks {absent} did not join rank 0 within the deadline")
                server.settimeout(_remaining(deadline))
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                conns.append(conn)
                conn.settimeout(_remaining(deadline))
                msg = _read_line(conn, tag, "a rank")
                if msg.get("tag") != tag:
                    raise PeerLost(f"exchange {tag!r}: rank {msg.get('rank')} is at step {msg.get('tag')!r}")
                values[int(msg["rank"])] = msg["value"]
            ordered = [values[r] for r in range(net.world_size)]
            reply = (json.dumps({"tag": tag, "values": ordered}) + "\n").encode()
            for conn in conns:
                conn.sendall(reply)
        finally:
            for conn in conns:
                conn.close()
    return ordered


def _join(config: TaskConfig, tag: str, value: Any, deadline: float) -> list[Any]:
    net = config.network
    target = (net.master_addr, net.master_port)
    while True:
        try:
            conn = socket.create_connection(target, timeout=_remaining(deadline))
            break
        except OSError as e:
            if time.monotonic() >= deadline:
                raise PeerLost(
                    f"exchange {tag!r}: cannot reach rank 0 at {net.master_addr}:{net.master_port}: {e}"
                ) from e
            time.sleep(0.1)
    with conn:
        conn.settimeout(_remaining(deadline))
        try:
            conn.sendall((json.dumps({"tag": tag, "rank": config.rank, "value": value}) + "\n").encode())
        except OSError as e:
            raise PeerLost(f"exchange {tag!r}: lost rank 0 while sending: {e}") from e
        reply = _read_line(conn, tag, "rank 0")
    values = reply.get("values")
    if not isinstance(values, list) or len(values) != net.world_size:
        raise PeerLost(f"exchange {tag!r}: malformed reply from rank 0")
    return values


def _read_line(conn: socket.socket, tag: str, peer: str) -> dict[str, Any]:
    buf = bytearray()
    while not buf.endswith(b"\n"):
        try:
            chunk = conn.recv(1 << 16)
        except TimeoutError as e:
            raise PeerLost(f"exchange {tag!r}: {peer} sent nothing before the deadline") from e
        except OSError as e:
            raise PeerLost(f"exchange {tag!r}: lost {peer}: {e}") from e
        if not chunk:
            raise PeerLost(f"exchange {tag!r}: {peer} closed the connection (it probably died)")
        buf += chunk
        if len(buf) > MAX_LINE:
            raise PeerLost(f"exchange {tag!r}: {peer} sent more than {MAX_LINE} bytes")
    data = json.loads(buf)
    if not isinstance(data, dict):
        raise PeerLost(f"exchange {tag!r}: {peer} sent a non-object")
    return data
