"""Who may reach what, in the dev tenant's database: each site's members and visitors (a
site without a row is open to every member of staff), the application permissions granted
on a site (POST /sites/{id}/permissions), the sharing permissions on drive items (invite),
and the retention label applied to a drive item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .database import Database, dumps


@dataclass(frozen=True, slots=True)
class Membership:
    """A site's people, by display name (as in a "dev-user:<name>" token)."""

    members: tuple[str, ...]  # read and write (the site's Members group)
    visitors: tuple[str, ...]  # read only (the site's Visitors group)


class AccessStorage(Database):
    """Site membership, site grants, item sharing permissions and retention labels."""

    # -- site membership ---------------------------------------------------------------------

    def membership(self, site_id: str) -> Membership | None:
        """The site's people, or None when the site is open to everyone in the tenant."""
        row = self._one("SELECT members, visitors FROM site_members WHERE site_id = ?", site_id)
        if row is None:
            return None
        return Membership(tuple(json.loads(row[0])), tuple(json.loads(row[1])))

    def set_membership(self, site_id: str, membership: Membership | None) -> None:
        if membership is None:
            self._run("DELETE FROM site_members WHERE site_id = ?", site_id)
            return
        self._run(
            "INSERT OR REPLACE INTO site_members VALUES (?, ?, ?)",
            site_id,
            dumps(list(membership.members)),
            dumps(list(membership.visitors)),
        )

    # -- application permissions on sites ----------------------------------------------------

    def site_permissions(self, site_id: str) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT data FROM site_permissions WHERE site_id = ? ORDER BY rowid", site_id
        )
        return [json.loads(r[0]) for r in rows]

    def put_site_permission(self, site_id: str, permission: dict[str, Any]) -> None:
        self._run(
            "INSERT OR REPLACE INTO site_permissions VALUES (?, ?, ?)",
            site_id,
            permission["id"],
            dumps(permission),
        )

    def delete_site_permission(self, site_id: str, permission_id: str) -> bool:
        cursor = self._run(
            "DELETE FROM site_permissions WHERE site_id = ? AND id = ?", site_id, permission_id
        )
        return cursor.rowcount > 0

    # -- sharing permissions on drive items --------------------------------------------------

    def item_permissions(self, item_id: str, moment: float) -> list[dict[str, Any]]:
        """The item's unexpired sharing permissions, oldest first."""
        rows = self._all(
            "SELECT data FROM item_permissions WHERE item_id = ? "
            "AND (expires IS NULL OR expires > ?) ORDER BY rowid",
            item_id,
            moment,
        )
        return [json.loads(r[0]) for r in rows]

    def item_permission_for(self, item_id: str, email: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT data FROM item_permissions WHERE item_id = ? AND email = ?", item_id, email
        )
        return dict(json.loads(row[0])) if row else None

    def put_item_permission(
        self, item_id: str, email: str, expires: float | None, permission: dict[str, Any]
    ) -> None:
        self._run(
            "INSERT OR REPLACE INTO item_permissions VALUES (?, ?, ?, ?, ?)",
            item_id,
            permission["id"],
            email,
            expires,
            dumps(permission),
        )

    def delete_item_permission(self, item_id: str, permission_id: str) -> bool:
        cursor = self._run(
            "DELETE FROM item_permissions WHERE item_id = ? AND id = ?", item_id, permission_id
        )
        return cursor.rowcount > 0

    # -- retention labels --------------------------------------------------------------------

    def retention_label(self, item_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT data FROM retention_labels WHERE item_id = ?", item_id)
        return dict(json.loads(row[0])) if row else None

    def put_retention_label(self, item_id: str, label: dict[str, Any]) -> None:
        self._run("INSERT OR REPLACE INTO retention_labels VALUES (?, ?)", item_id, dumps(label))

    def delete_retention_label(self, item_id: str) -> bool:
        cursor = self._run("DELETE FROM retention_labels WHERE item_id = ?", item_id)
        return cursor.rowcount > 0
