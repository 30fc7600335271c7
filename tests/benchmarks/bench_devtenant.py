"""Benchmark (not a test): how fast the dev tenant answers on loopback.

    ./run python tests/benchmarks/bench_devtenant.py [--requests 1000]

Times small Graph requests over one keep-alive connection with the standard library's
http.client (and with httpx, the msgraph-sdk's transport, when it is installed), and prints
the median and 95th percentile per kind of request. The target for a simple GET is a median
under 5 ms; the standard library's http.server, by comparison, adds about 40 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from function_app.devtenant import DevTenant  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(count: int, action: Callable[[], object]) -> tuple[float, float]:
    for _ in range(min(50, count)):
        action()  # warm up
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per measurement")
    args = parser.parse_args()
    auth = {"Authorization": "Bearer dev-app-token"}
    with tempfile.TemporaryDirectory() as folder, DevTenant(Path(folder)) as tenant:
        site = f"/v1.0/sites/{tenant.site_id}"
        connection = http.client.HTTPConnection("127.0.0.1", tenant.port)

        def call(method: str, path: str, body: object = None) -> bytes:
            data = None if body is None else json.dumps(body).encode()
            headers = {**auth, "Content-Type": "application/json"} if data else auth
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            assert response.status < 300, (response.status, payload[:200])
            return payload

        columns = [{"name": "Status", "text": {}}]
        made = json.loads(
            call("POST", f"{site}/lists", {"displayName": "Bench", "columns": columns})
        )
        items = f"{site}/lists/{made['id']}/items"
        call("POST", items, {"fields": {"Title": "Case", "Status": "Open"}})
        delta_link = json.loads(call("GET", f"{items}/delta"))["@odata.deltaLink"]
        delta_path = delta_link[delta_link.index("/v1.0") :]

        n = args.requests
        rows: list[tuple[str, tuple[float, float]]] = [
            ("GET site (http.client)", timed(n, lambda: call("GET", site))),
            ("GET item ?expand=fields", timed(n, lambda: call("GET", f"{items}/1?expand=fields"))),
            (
                "PATCH item fields",
                timed(n, lambda: call("PATCH", f"{items}/1/fields", {"Status": "x"})),
            ),
            ("GET delta (no changes)", timed(n, lambda: call("GET", delta_path))),
        ]
        try:
            import httpx
        except ImportError:  # the SDK's transport; absent without msgraph-sdk
            pass
        else:
            with httpx.Client(base_url=tenant.base_url.removesuffix("/v1.0"), headers=auth) as c:
                rows.append(("GET site (httpx, as the SDK)", timed(n, lambda: c.get(site))))
        print(f"dev tenant on loopback, {args.requests} requests each (times in ms)")
        print(f"{'request':32} {'median':>8} {'p95':>8}")
        for name, (median, p95) in rows:
            print(f"{name:32} {median:8.2f} {p95:8.2f}")
        print(f"\nrequests counted: {sum(tenant.requests.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
