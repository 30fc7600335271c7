"""Run the dev tenant in the foreground: `casework dev-tenant --data DIR` calls serve()."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from .tenant import DevTenant


def serve(data_dir: Path, port: int, fault_rate: float, latency_ms: int) -> None:
    """Serve until Ctrl-C, after printing the base URL, the app token and the data folder."""
    with DevTenant(
        Path(data_dir), port=port, fault_rate=fault_rate, latency_ms=latency_ms
    ) as tenant:
        print(f"Dev tenant (Microsoft Graph v1.0): {tenant.base_url}")
        print(f"App token:    Authorization: Bearer {tenant.app_token}")
        print(f"Staff token:  Authorization: Bearer {tenant.user_token('Attendance Officer')}")
        print(f"Site:         {tenant.hostname}{tenant.site_path} (id {tenant.site_id})")
        print(f"Data folder:  {Path(data_dir).resolve()}")
        print(f"Library files: {tenant.files_root.resolve()}")
        if fault_rate or latency_ms:
            print(f"Faults: {fault_rate:.0%} of requests, {latency_ms} ms added to each")
        print("Ctrl-C stops it.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping the dev tenant.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m function_app.devtenant.main")
    parser.add_argument("--data", type=Path, required=True, help="the data folder")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args(argv)
    serve(args.data, args.port, args.fault_rate, args.latency_ms)


if __name__ == "__main__":
    main()
