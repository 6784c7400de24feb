"""Who sees which catalogue entries: permission labels (IPermissionLabels).

Departments see the metadata of the whole catalogue (art. 7, 12: a department must know what
exists to ask for it); the public sees the entries that are open to it, as
``ckanext.govshare.public_catalogue`` says. Labels are what CKAN's search, counts, pages and
``package_show`` all check, so one rule holds everywhere. Access to the data itself is a
separate matter (grants).
"""

from __future__ import annotations

from typing import Any

from ckan.lib.plugins import DefaultPermissionLabels

DEPARTMENTS = "govshare-departments"
PUBLIC = "public"
#: The sharing authority's members: they see entries waiting for their first review (2025
#: Regulations art. 16), which nobody outside the providing department may see.
AUTHORITY = "govshare-authority"
OPEN_VALUES = {
    "open_only": frozenset({"open", "conditional_open"}),
    "all": None,  # every entry
    "none": frozenset(),
}


def public_may_see(open_to_public: str | None, setting: str) -> bool:
    allowed = OPEN_VALUES.get(setting, OPEN_VALUES["open_only"])
    return True if allowed is None else (open_to_public or "") in allowed


def dataset_labels(default: list[str], open_to_public: str | None, setting: str) -> list[str]:
    """An active public-capacity entry is for departments, and for the public if it may be."""
    if PUBLIC not in default:
        return default  # private, draft or deleted: CKAN's member/creator labels
    labels = [label for label in default if label != PUBLIC] + [DEPARTMENTS]
    if public_may_see(open_to_public, setting):
        labels.append(PUBLIC)
    return labels


def withheld_labels(default: list[str], owner_org: str | None) -> list[str]:
    """An active entry never approved by the authority (2025 art. 16): its own department's
    members and the authority only, whatever its public setting."""
    if PUBLIC not in default:
        return default
    labels = [label for label in default if label != PUBLIC]
    if owner_org and f"member-{owner_org}" not in labels:
        labels.append(f"member-{owner_org}")
    return [*labels, AUTHORITY]


def user_labels(
    default: list[str], *, is_department_user: bool, is_authority: bool = False
) -> list[str]:
    labels = [*default, DEPARTMENTS] if is_department_user else list(default)
    return [*labels, AUTHORITY] if is_authority else labels


class CataloguePermissionLabels(DefaultPermissionLabels):
    """CKAN's labels, with the public's and the departments' views of the catalogue."""

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        from ..core import config
        from ..review import service as review

        default = super().get_dataset_labels(dataset_obj)
        if review.withheld(getattr(dataset_obj, "id", None)):
            return withheld_labels(default, dataset_obj.owner_org)
        open_to_public = (dataset_obj.extras or {}).get("open_to_public")
        return dataset_labels(default, open_to_public, config.public_catalogue())

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        from ..core.membership import authority_org_id

        default = super().get_user_dataset_labels(user_obj)
        org_ids = (
            user_obj.get_group_ids(group_type="organization")
            if user_obj is not None and getattr(user_obj, "id", None)
            else []
        )
        is_department_user = bool(
            user_obj is not None
            and getattr(user_obj, "id", None)
            and (user_obj.sysadmin or org_ids)
        )
        authority = authority_org_id() if org_ids else None
        return user_labels(
            default,
            is_department_user=is_department_user,
            is_authority=bool(authority and authority in org_ids),
        )
