"""Status-call latency (p50, p99) under 50 concurrent clients while jobs run on 2 workers.

A fresh loopback cluster runs JOBS benchmark episodes; meanwhile CLIENTS
asyncio clients, each with its own connection, call ``GET /jobs/{id}`` (with
token check and the per-stage view) back to back for SECONDS seconds.

Usage: .venv/bin/python benchmarks/service_latency.py [--clients 50] [--seconds 30] [--jobs 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from service_common import run_cluster, submit


async def _client(client: httpx.AsyncClient, job_ids: list[str], until: float, latencies: list[float], errors: list[int]) -> None:
    n = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await client.get(f"/jobs/{job_ids[n % len(job_ids)]}")
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(response.status_code)
        n += 1


async def _load(url: str, token: str, job_ids: list[str], clients: int, seconds: float) -> tuple[list[float], list[int]]:
    """Open every client's connection first (one untimed call each), then time ``seconds`` of back-to-back calls."""
    latencies: list[float] = []
    errors: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    opened = [httpx.AsyncClient(base_url=url, headers=headers, timeout=60) for _ in range(clients)]
    try:
        await asyncio.gather(*(client.get("/health") for client in opened))
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_client(client, job_ids, until, latencies, errors) for client in opened))
    finally:
        await asyncio.gather(*(client.aclose() for client in opened))
    return latencies, errors


def main() -> None:
    """Print the latency figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=4, help="episodes running meanwhile on 2 workers")
    args = parser.parse_args()
    with (
        run_cluster(2) as (cluster, token),
        httpx.Client(base_url=cluster.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
    ):
        job_ids = submit(client, args.jobs)
        latencies, errors = asyncio.run(_load(cluster.url, token, job_ids, args.clients, args.seconds))
        running = sum(client.get(f"/jobs/{job_id}").json()["status"] == "running" for job_id in job_ids)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(
        f"{args.clients} clients, {args.seconds:.0f} s, {args.jobs} jobs on 2 workers ({running} still running at the end): "
        f"{len(latencies)} status calls ({len(latencies) / args.seconds:.0f}/s), {len(errors)} errors; "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
