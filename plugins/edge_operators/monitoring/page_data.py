"""Gather everything one page request shows: clusters, registry, results, warnings, bytes.

Called by :mod:`.page_app` for every request (no caching: the page is a live view). Sites
are read in parallel, each bounded by the hook's request timeouts and all together by
``CLUSTER_DEADLINE``; the metadata database is read in one short session. Must not write.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable
from datetime import UTC, datetime

from airflow.utils.session import create_session

from edge_operators.monitoring import airflow_view, registry_view
from edge_operators.monitoring.cluster_view import read_cluster
from edge_operators.monitoring.view_models import ByteAccount, ClusterView, PageData, ResultRow

CLUSTER_DEADLINE = 45.0  # seconds for all sites together; a slow site is shown as unreachable
MAX_SITE_THREADS = 8


def byte_accounts(results: Iterable[ResultRow]) -> tuple[ByteAccount, ...]:
    """Pure: per site, bytes read at the edge (kept there) and bytes sent back, over its results."""
    totals: dict[str, list[int]] = {}
    for r in results:
        t = totals.setdefault(r.site or "(unknown site)", [0, 0, 0])
        t[0] += 1
        t[1] += r.bytes_read
        t[2] += r.bytes_sent
    return tuple(ByteAccount(site, n, read, sent) for site, (n, read, sent) in sorted(totals.items()))


def collect() -> PageData:
    registry, registry_error = registry_view.load()
    sites = list(registry.sites.values()) if registry else []
    clusters: list[ClusterView] = []
    problems: list[str] = []
    if sites:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(MAX_SITE_THREADS, len(sites)))
        try:
            futures = [pool.submit(read_cluster, site) for site in sites]
            done, _ = concurrent.futures.wait(futures, timeout=CLUSTER_DEADLINE)
            for site, future in zip(sites, futures, strict=True):
                if future in done:
                    clusters.append(future.result())
                else:
                    clusters.append(
                        ClusterView(
                            site.name,
                            site.connection_id,
                            site.namespace,
                            site.description,
                            error=f"no answer within {CLUSTER_DEADLINE:.0f}s",
                        )
                    )
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    try:
        with create_session() as session:
            xcoms = airflow_view.read_xcoms(session)
            events = airflow_view.read_asset_events(session)
    except Exception as e:  # the page still shows the clusters when the database is unreachable
        problems.append(f"Airflow metadata database: {type(e).__name__}: {e}")
        xcoms, events = [], []
    results = airflow_view.results(xcoms, registry_view.sites_by_connection(registry))
    return PageData(
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        clusters=tuple(clusters),
        catalogue=registry_view.catalogue(registry, registry_error),
        results=tuple(results),
        warnings=tuple(airflow_view.warnings_from(events, xcoms)),
        bytes=byte_accounts(results),
        problems=tuple(problems),
    )
