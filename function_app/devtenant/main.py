"""Run the dev tenant in the foreground: `casework dev-tenant --data DIR` calls serve()."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from pathlib import Path

from .faults import ALL_KINDS, KINDS, MAX_RETRY_AFTER_SECONDS
from .identity import APP_IDENTITIES
from .tenant import DevTenant


def serve(data_dir: Path, port: int, fault_rate: float, latency_ms: int, *,
          fault_kinds: Sequence[str] = KINDS, retry_after_seconds: int | None = None,
          app_identity: str = "app", sites: Sequence[str] = (),
          sites_selected: bool = False) -> None:
    """Serve until Ctrl-C, after printing the base URL, the app token and the data folder.
    sites: more server-relative site paths to make (open to all staff); sites_selected:
    the app token reaches only sites granted to it (grant with the admin token)."""
    with DevTenant(
        Path(data_dir), port=port, fault_rate=fault_rate, latency_ms=latency_ms,
        fault_kinds=fault_kinds, retry_after_seconds=retry_after_seconds,
        app_identity=app_identity, sites_selected=sites_selected,
    ) as tenant:
        print(f"Dev tenant (Microsoft Graph v1.0): {tenant.base_url}")
        print(f"App token:    Authorization: Bearer {tenant.app_token}")
        print(f"Staff token:  Authorization: Bearer {tenant.user_token('Attendance Officer')}")
        print(f"Site:         {tenant.hostname}{tenant.site_path} (id {tenant.site_id})")
        for path in sites:
            extra = tenant.add_site(path)
            print(f"Site:         {extra.hostname}{extra.path} (id {extra.id})")
        if sites_selected:
            print("Sites.Selected: the app reaches only sites granted to it; grant with "
                  f"POST /sites/{{id}}/permissions and Bearer {tenant.admin_token}")
        print(f"Data folder:  {Path(data_dir).resolve()}")
        print(f"Library files: {tenant.files_root.resolve()}")
        if fault_rate or latency_ms:
            print(f"Faults: {fault_rate:.0%} of requests ({', '.join(fault_kinds)}), "
                  f"{latency_ms} ms added to each")
        if retry_after_seconds is not None:
            print(f"Injected 429 and 503 say Retry-After: {retry_after_seconds}")
        if app_identity != "app":
            print(f"The app's writes are attributed as: {app_identity}")
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
    parser.add_argument("--fault-kinds", default=",".join(KINDS),
                        help=f"comma-separated, of {', '.join(ALL_KINDS)} "
                             "(lost: processed, then the answer is dropped)")
    parser.add_argument("--retry-after", type=int, default=None, metavar="SECONDS",
                        help=f"Retry-After of injected 429 and 503 (0 to "
                             f"{MAX_RETRY_AFTER_SECONDS}; default 1 on 429, none on 503)")
    parser.add_argument("--app-identity", choices=APP_IDENTITIES, default="app",
                        help="how createdBy/lastModifiedBy show the app's writes")
    parser.add_argument("--site", action="append", default=[], metavar="PATH",
                        help="another site to serve, e.g. /sites/oak-primary (repeatable)")
    parser.add_argument("--sites-selected", action="store_true",
                        help="the app token reaches only the sites granted to it")
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    serve(args.data, args.port, args.fault_rate, args.latency_ms, fault_kinds=kinds,
          retry_after_seconds=args.retry_after, app_identity=args.app_identity,
          sites=args.site, sites_selected=args.sites_selected)


if __name__ == "__main__":
    main()
