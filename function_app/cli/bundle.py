"""`casework bundle --case REF [--workspace DIR]`: check a case's readiness for legal
intervention and file its evidence bundle (.docx and PDF) in the case folder's ``Legal``
subfolder, as the change processor does when staff tick "Prepare legal referral".

With ``--workspace`` it works on the demo's dev tenant (DIR/tenant, LibreOffice converting
to PDF); without, on the site in SHAREPOINT_SITE with the app's credentials. Exit 0 when the
bundle is filed or was already filed for the same case state (ready or not: the report says
what is missing); 2 when the case is not found or cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function_app.cli.common import iso_date
from function_app.domain.errors import CaseworkError
from function_app.domain.wording import day

if TYPE_CHECKING:
    from function_app.services.schools.registry import School
    from function_app.settings import Settings

EXIT_OK = 0


class CaseNotFoundError(CaseworkError):
    """No Cases item has the reference given, or its items cannot be read as a case."""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    b: argparse.ArgumentParser = commands.add_parser(
        "bundle", help="check readiness for legal intervention and file the evidence bundle",
        description="Read a case from the lists and its folder, check the steps before legal "
                    "intervention, and put the evidence bundle (Word and PDF, with an index "
                    "of exhibits, their SHA-256 and page numbers) in the case folder's Legal "
                    "subfolder. The same case state is never bundled twice.")
    b.add_argument("--case", required=True, metavar="REF", help="the case reference")
    b.add_argument("--workspace", type=Path, metavar="DIR",
                   help="the demo's workspace (its dev tenant); default: the site in "
                        "SHAREPOINT_SITE")
    b.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="the date the bundle is prepared on (default: today)")
    return b


def command(args: argparse.Namespace) -> int:
    from function_app.settings import Settings

    today = args.today or date.today()
    if args.workspace is None:
        text = asyncio.run(bundle_case(Settings.from_environment(), args.case, today))
    else:
        from function_app import bootstrap
        from function_app.devtenant import DevTenant

        workspace: Path = args.workspace
        if not (workspace / "tenant").is_dir():
            raise CaseNotFoundError(f"{workspace} holds no dev tenant: run `casework demo "
                                    f"--workspace {workspace}` first.")
        from dataclasses import replace

        from function_app.demo.scenario import LA_SITE

        with DevTenant(workspace / "tenant") as tenant:
            settings = bootstrap.settings_for_dev_tenant(
                tenant.base_url, tenant.hostname, tenant.site_path, workspace)
            if _has_site(tenant, LA_SITE):  # the demo's: a site per school
                settings = replace(settings, la_site_url=f"https://{tenant.hostname}{LA_SITE}")
                text = asyncio.run(bundle_case(settings, args.case, today, tenant.data_dir))
            else:
                text = asyncio.run(bundle_case(settings, args.case, today,
                                               on_disk=tenant.files_root.parent))
    print(text, end="")
    return EXIT_OK


def _has_site(tenant: Any, path: str) -> bool:
    try:
        tenant.site(path)
    except KeyError:  # the dev tenant has no such site
        return False
    return True


async def bundle_case(settings: Settings, case_ref: str, today: date,
                      tenant_dir: Path | None = None, on_disk: Path | None = None) -> str:
    """Prepare the case's bundle through Graph; the report as text. With an LA site, the
    case is looked for in each school's site, in the registry's order; ``tenant_dir``: the
    dev tenant's data folder, to show the files' paths on disk."""
    from urllib.parse import urlsplit

    from function_app import bootstrap

    if not settings.serves_many_schools:
        return await _bundle_in_site(settings, case_ref, today, None, on_disk)
    registry = await bootstrap.registry(settings)
    for school in registry.schools:
        where = replace(settings, site_url=school.site_url)
        on_disk = tenant_dir / urlsplit(school.site_url).path.strip("/") if tenant_dir else None
        found = await _bundle_in_site(where, case_ref, today, school, on_disk)
        if found:
            return found
    raise CaseNotFoundError(f"--case: no school's Cases list has the reference {case_ref!r} "
                            f"(looked in {len(registry.schools)} schools' sites).")


async def _bundle_in_site(settings: Settings, case_ref: str, today: date,
                          school: School | None, on_disk: Path | None) -> str:
    """The report for the case in this site; '' when a school's site has no such case."""
    from function_app import bootstrap
    from function_app.domain import DEFAULT_PROFILE, load_profile
    from function_app.services.case_lists.list_mapping import map_case
    from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot
    from function_app.services.casework_sweep.sweep_report import LIBRARY

    graph = bootstrap.graph_client(settings)
    store = bootstrap.state_store(settings)
    state = bootstrap.school_state(settings, store, school) if school else store
    processor = bootstrap.processor(settings, graph, state, today=today,
                                    owner="casework-bundle", school=school)
    try:
        lists = await graph.lists()
        await graph.use_library(lists[LIBRARY].id)
        names = list(CASEWORK_LISTS)
        pages = await asyncio.gather(*(graph.all_items(lists[n].id) for n in names))
        snapshot = Snapshot.of(dict(zip(names, pages, strict=True)))
        item = next((i for i in snapshot.items.get("Cases", {}).values()
                     if str(i.fields.get("Title", "")).strip() == case_ref.strip()), None)
        if item is None and school is not None:
            return ""
        if item is None:
            raise CaseNotFoundError(f"--case: no case in the Cases list has the reference "
                                    f"{case_ref!r}.")
        mapped = map_case(snapshot.case_items(item.id), today)
        if mapped.case is None:
            problems = "; ".join(mapped.messages().values())
            raise CaseNotFoundError(f"--case: case {case_ref} cannot be read: {problems}")
        case = mapped.case
        profile = load_profile(case.profile or settings.profile or DEFAULT_PROFILE)
        assert processor.legal is not None
        referral = await processor.legal.prepare(case, profile, processor.folder_for(case),
                                                 today)
    finally:
        await processor.close()
        store.close()
    lines = [f"Case {case_ref}: evidence bundle as on {day(today)} (profile {profile.name})",
             referral.summary, ""]
    lines += [f"[{'found' if s.found else ('MISSING' if s.required else 'CAUTION')}] "
              f"{s.title}" + (f"\n    What to do: {s.what_to_do}" if s.what_to_do else "")
              for s in referral.readiness.steps]
    lines.append("")
    lines.append("Index:")
    for e in referral.entries:
        if e.superseded:
            lines.append(f"   -  {e.file_name}, {day(e.date)} (superseded by exhibit "
                         f"{e.superseded_by}) {e.sha256[:12]}")
            continue
        where = f"page {e.page}" if e.page else (e.problem or "no page number")
        lines.append(f"  {e.number:>2}. {e.title}, {day(e.date)} ({where}) {e.sha256[:12]}")
    lines.append("")
    if not referral.exists:
        lines.append("Another worker is making this bundle now: run the command again shortly.")
        return "\n".join(lines) + "\n"
    lines.append("Made now." if referral.made else
                 "Already filed for this case state: nothing made again.")
    folder = Path(referral.folder)
    for name in referral.names:  # never a PDF that was not made
        shown = (on_disk / LIBRARY / folder / name) if on_disk else folder / name
        lines.append(f"  {shown}")
    return "\n".join(lines) + "\n"
