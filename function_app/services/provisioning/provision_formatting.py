"""Give each list its views, column formatters, form and validation (``sharepoint_schema/
formatting/``), through SharePoint REST, after the Graph part of provisioning has made the
lists and columns.

What is missing is added: a view, a formatter, the form's layout, a "show when" formula, a
list validation formula. What is there and equal is left alone, so provisioning twice changes
nothing the second time. What is there and different (a view someone changed on the site,
a formatter edited in the browser) is reported as a difference and left as it is, because
an admin may have changed it on purpose; with ``replace_differing`` it is replaced by the
schema's. Nothing is ever deleted, and no list item is touched.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .list_formatting import view_query
from .provisioning_plan import Difference
from .site_script import form_parts


class RestSite(Protocol):
    """The SharePoint REST calls provisioning needs (adapters/sharepoint_rest)."""

    async def list_settings(self, title: str) -> dict[str, Any]: ...
    async def update_list(self, title: str, changes: Mapping[str, Any]) -> None: ...
    async def fields(self, title: str) -> list[dict[str, Any]]: ...
    async def update_field(self, title: str, name: str, changes: Mapping[str, Any]) -> None: ...
    async def views(self, title: str) -> list[dict[str, Any]]: ...
    async def view_fields(self, title: str, view_id: str) -> list[str]: ...
    async def create_view(self, title: str, properties: Mapping[str, Any]
                          ) -> dict[str, Any]: ...
    async def update_view(self, title: str, view_id: str,
                          changes: Mapping[str, Any]) -> None: ...
    async def set_view_fields(self, title: str, view_id: str, names: list[str]) -> None: ...
    async def content_types(self, title: str) -> list[dict[str, Any]]: ...
    async def update_content_type(self, title: str, string_id: str,
                                  changes: Mapping[str, Any]) -> None: ...


@dataclass
class FormattingReport:
    done: list[str] = field(default_factory=list)  # what was changed, one plain line each
    differences: list[Difference] = field(default_factory=list)


def form_formatter(form: Mapping[str, Any]) -> str:
    """The content type's ClientFormCustomFormatter: header, body and footer, each a JSON
    string, in one JSON object (the form's "Configure layout" keeps them so)."""
    return json.dumps(form_parts(form), ensure_ascii=False)


def same_json(ours: str, theirs: object) -> bool:
    """Two JSON texts mean the same; nested JSON strings (the form's parts) are compared as
    JSON too, so spacing and key order do not count."""

    def parsed(text: object) -> Any:
        if not isinstance(text, str) or not text.strip():
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, dict):
            return {k: parsed(v) if isinstance(v, str) and v.strip().startswith(("{", "["))
                    else v for k, v in value.items()}
        return value

    return bool(parsed(ours) == parsed(theirs))


def same_query(ours: str, theirs: object) -> bool:
    """Two CAML queries are the same XML (attribute quotes, order and spacing aside, and the
    GroupLimit SharePoint may add to a GroupBy of its own accord)."""

    def canonical(text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            return ""
        try:
            root = ET.fromstring(f"<Query>{text}</Query>")
        except ET.ParseError:
            return text
        for group in root.iter("GroupBy"):
            group.attrib.pop("GroupLimit", None)
        return ET.canonicalize(ET.tostring(root, encoding="unicode"), strip_text=True)

    return canonical(ours) == canonical(theirs)


async def provision_formatting(site: RestSite, formatting: Mapping[str, Mapping[str, Any]],
                               display_names: Mapping[str, Mapping[str, str]],
                               replace_differing: bool = False) -> FormattingReport:
    """Apply each list's formatting; ``display_names`` maps list -> column name -> label."""
    report = FormattingReport()
    for title, entry in formatting.items():
        labels = display_names.get(title, {})
        step = _ListStep(site, title, labels, report, replace_differing)
        if entry.get("columns") or (entry.get("form") or {}).get("showWhen"):
            await step.fields(entry.get("columns", {}),
                              (entry.get("form") or {}).get("showWhen", {}))
        if entry.get("views"):
            await step.views(entry["views"])
        if entry.get("form"):
            await step.form(entry["form"])
        if entry.get("validation"):
            await step.validation(entry["validation"])
    return report


@dataclass
class _ListStep:
    site: RestSite
    title: str
    labels: Mapping[str, str]
    report: FormattingReport
    replace: bool

    def _label(self, name: str) -> str:
        return self.labels.get(name, name)

    def _differs(self, what: str, how: str) -> bool:
        """Note a difference; True when it is to be replaced."""
        if self.replace:
            self.report.done.append(f"Replaced {what} on {self.title} with the schema's "
                                    f"({how}).")
            return True
        self.report.differences.append(Difference(
            self.title, "", f"{what}: {how} (provision with --replace-differing to use "
                            "the schema's)"))
        return False

    async def fields(self, formatters: Mapping[str, Any], show_when: Mapping[str, str]) -> None:
        there = {f["InternalName"]: f for f in await self.site.fields(self.title)}
        for name, formatter in formatters.items():
            field_, wanted = there.get(name), json.dumps(formatter, ensure_ascii=False)
            what = f'the formatting of column "{self._label(name)}"'
            if field_ is None:
                self.report.differences.append(Difference(
                    self.title, name, "is not on the list, so it cannot be formatted"))
            elif not field_.get("CustomFormatter"):
                await self.site.update_field(self.title, name, {"CustomFormatter": wanted})
                self.report.done.append(f"Set {what} on {self.title}.")
            elif not same_json(wanted, field_["CustomFormatter"]) and \
                    self._differs(what, "it differs from the schema's"):
                await self.site.update_field(self.title, name, {"CustomFormatter": wanted})
        for name, formula in show_when.items():
            field_ = there.get(name)
            what = f'when "{self._label(name)}" shows on the form'
            if field_ is None:
                self.report.differences.append(Difference(
                    self.title, name, "is not on the list, so the form cannot show or hide it"))
            elif not field_.get("ClientValidationFormula"):
                await self.site.update_field(self.title, name,
                                             {"ClientValidationFormula": formula})
                self.report.done.append(f'Set when "{self._label(name)}" shows on the '
                                        f"{self.title} form.")
            elif str(field_["ClientValidationFormula"]).strip() != formula.strip() and \
                    self._differs(what, "the site has another formula"):
                await self.site.update_field(self.title, name,
                                             {"ClientValidationFormula": formula})

    async def views(self, views: Sequence[Mapping[str, Any]]) -> None:
        there = {str(v.get("Title", "")).casefold(): v for v in await self.site.views(self.title)}
        for view in views:
            wanted = _view_properties(view)
            found = there.get(str(view["name"]).casefold())
            if found is None:
                created = await self.site.create_view(self.title, wanted)
                await self.site.set_view_fields(self.title, str(created["Id"]),
                                                list(view["viewFields"]))
                self.report.done.append(f'Added view "{view["name"]}" to {self.title}.')
                continue
            view_id = str(found["Id"])
            how = _view_differences(wanted, found, list(view["viewFields"]),
                                    await self.site.view_fields(self.title, view_id))
            if how and self._differs(f'view "{view["name"]}"', "; ".join(how)):
                await self.site.update_view(self.title, view_id,
                                            {k: v for k, v in wanted.items() if k != "Title"})
                await self.site.set_view_fields(self.title, view_id, list(view["viewFields"]))

    async def form(self, form: Mapping[str, Any]) -> None:
        wanted = form_formatter(form)
        types = [t for t in await self.site.content_types(self.title)
                 if not str(t.get("StringId", "")).upper().startswith("0X0120")]  # not Folder
        if not types:
            self.report.differences.append(Difference(
                self.title, "", "has no item content type to carry the form's layout"))
            return
        content_type = types[0]
        string_id = str(content_type["StringId"])
        sections = len((form.get("body") or {}).get("sections", []))
        if not content_type.get("ClientFormCustomFormatter"):
            await self.site.update_content_type(self.title, string_id,
                                                {"ClientFormCustomFormatter": wanted})
            self.report.done.append(f"Set the form layout of {self.title} (a header, "
                                    f"{sections} sections and a footer).")
        elif not same_json(wanted, content_type["ClientFormCustomFormatter"]) and \
                self._differs("the form layout", "it differs from the schema's"):
            await self.site.update_content_type(self.title, string_id,
                                                {"ClientFormCustomFormatter": wanted})

    async def validation(self, validation: Mapping[str, str]) -> None:
        there = await self.site.list_settings(self.title)
        wanted = {"ValidationFormula": validation["formula"],
                  "ValidationMessage": validation["message"]}
        if not there.get("ValidationFormula"):
            await self.site.update_list(self.title, wanted)
            self.report.done.append(f"Set the validation of {self.title}: "
                                    f"{validation['message']}")
        elif (str(there.get("ValidationFormula", "")).strip(),
              str(there.get("ValidationMessage", "")).strip()) != \
                (validation["formula"].strip(), validation["message"].strip()) and \
                self._differs("the list's validation", "the site has another formula or message"):
            await self.site.update_list(self.title, wanted)


def _view_properties(view: Mapping[str, Any]) -> dict[str, Any]:
    formatter = view.get("formatter")
    return {"Title": str(view["name"]), "ViewQuery": view_query(view),
            "RowLimit": int(view.get("rowLimit", 30)), "Paged": True,
            "CustomFormatter": json.dumps(formatter, ensure_ascii=False) if formatter else ""}


def _view_differences(wanted: Mapping[str, Any], found: Mapping[str, Any],
                      wanted_fields: list[str], found_fields: list[str]) -> list[str]:
    how = []
    if not same_query(wanted["ViewQuery"], found.get("ViewQuery")):
        how.append("its filter, sorting or grouping differs")
    if [f.casefold() for f in wanted_fields] != [f.casefold() for f in found_fields]:
        how.append("it shows other columns")
    if int(found.get("RowLimit") or 0) != wanted["RowLimit"]:
        how.append(f"it shows {found.get('RowLimit')} items a page, not {wanted['RowLimit']}")
    if not same_json(wanted["CustomFormatter"], found.get("CustomFormatter")):
        how.append("its formatting differs")
    return how
