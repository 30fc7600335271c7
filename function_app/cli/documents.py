"""`casework templates ...` and `casework render ...`: the document commands."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from function_app.documents.context import Options
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.documents.logo import load_logo
from function_app.documents.naming import safe_name
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.errors import CaseworkError
from function_app.domain.model import Case
from function_app.services.files import write_atomically
from function_app.settings import Settings

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def templates_command(args: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    if args.templates_command == "list":
        for kind in TemplateSet().catalogue.kinds:
            print(f"{kind.kind}: {kind.title} (one per {kind.per})")
        return EXIT_OK
    from function_app.documents.checker import check_templates

    folder = args.dir or settings.templates_dir
    if folder is not None and not folder.is_dir():
        print(f"casework: --dir: there is no folder at {folder}", file=sys.stderr)
        return EXIT_BAD_INPUT
    reports = check_templates(folder)
    failed = [r for r in reports if not r.ok]
    for r in reports:
        if r.ok:
            print(f"ok    {r.kind}: {r.file}")
        for problem in r.problems:
            print(f"FAIL  {r.kind}: {r.file}: {problem}")
    print(f"{len(reports) - len(failed)} of {len(reports)} templates passed.")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def render_command(args: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    templates = TemplateSet(overrides=args.templates_dir or settings.templates_dir)
    templates.catalogue.get(args.kind)  # an unknown kind fails before any work
    logo_path = args.logo or settings.logo
    options = Options(marking=settings.protective_marking if args.marking is None
                      else args.marking, logo=load_logo(logo_path) if logo_path else None)
    today = args.today or date.today()
    source = Path(args.input)
    if source.suffix == ".jsonl":
        if args.out_dir is None:
            print("casework: a .jsonl input holds many cases: give --out-dir DIR",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        return _render_many(templates, args, options, today, source)
    from function_app.services.case_files.case_input import read_case_path

    documents = _documents(templates, args, options, today, read_case_path(source))
    for path in _write(documents, args.out, args.out_dir):
        print(path)
    return EXIT_OK


def _documents(templates: TemplateSet, args: argparse.Namespace, options: Options,
               today: date, case: Case) -> list[Document]:
    profile = load_profile(args.profile or case.profile or DEFAULT_PROFILE)
    return produce(templates, args.kind, assess(case, profile, today), args.meeting, options)


def _write(documents: list[Document], out: Path | None, out_dir: Path | None) -> list[Path]:
    """Every document is rendered before the first is written, and each is written whole.

    With out, a letter is "{out's name} - {parent}.docx", the parent as the letter's own
    file name gives them (Document.label): two parents of the same name each get a file.
    """
    targets: list[Path] = []
    for doc in documents:
        if out_dir is not None:
            targets.append(out_dir / doc.file_name)
        else:
            assert out is not None
            file = out if out.suffix.lower() == ".docx" else out.with_name(out.name + ".docx")
            if doc.recipient:
                beside = file.with_name(
                    safe_name(f"{file.stem} - {doc.label or doc.recipient}.docx"))
                # the label shortened into the name of another's: the letter's own name
                file = (file.with_name(doc.file_name)
                        if any(t.name.casefold() == beside.name.casefold() for t in targets)
                        else beside)
            targets.append(file)
    return [write_atomically(path, doc.content) for path, doc in zip(targets, documents,
                                                                     strict=True)]


def _render_many(templates: TemplateSet, args: argparse.Namespace, options: Options,
                 today: date, source: Path) -> int:
    from function_app.services.case_files.case_input import case_from_dict

    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"casework: --input: cannot read {source}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    cases = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    progress = Progress(len(cases))
    written = failed = 0
    for n, line in cases:
        try:
            case = case_from_dict(json.loads(line))
            documents = _documents(templates, args, options, today, case)
            written += len(_write(documents, None, args.out_dir / safe_name(case.case_ref)))
        except json.JSONDecodeError as exc:
            failed += 1
            progress.note(f"line {n}: is not valid JSON ({exc.msg}, column {exc.colno})")
        except CaseworkError as exc:
            failed += 1
            progress.note(f"line {n}: {exc}")
        progress.step()
    progress.done()
    print(f"{written} documents written to {args.out_dir} from {len(cases) - failed} cases"
          + (f"; {failed} cases could not be used (see above)." if failed else "."))
    return EXIT_BAD_INPUT if failed else EXIT_OK


class Progress:
    """A progress bar on standard error when it is a terminal; a line per tenth otherwise."""

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0
        self.tty = sys.stderr.isatty()

    def step(self) -> None:
        self.count += 1
        if self.tty:
            filled = 30 * self.count // max(self.total, 1)
            print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total} cases",
                  end="", file=sys.stderr, flush=True)
        elif self.count == self.total or self.count % max(self.total // 10, 1) == 0:
            print(f"{self.count}/{self.total} cases", file=sys.stderr)

    def note(self, message: str) -> None:
        print(("\n" if self.tty else "") + f"casework: {message}", file=sys.stderr)

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)
