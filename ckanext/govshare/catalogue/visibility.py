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


def user_labels(default: list[str], *, is_department_user: bool) -> list[str]:
    return [*default, DEPARTMENTS] if is_department_user else default


class CataloguePermissionLabels(DefaultPermissionLabels):
    """CKAN's labels, with the public's and the departments' views of the catalogue."""

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        from ..core import config

        default = super().get_dataset_labels(dataset_obj)
        open_to_public = (dataset_obj.extras or {}).get("open_to_public")
        return dataset_labels(default, open_to_public, config.public_catalogue())

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        default = super().get_user_dataset_labels(user_obj)
        is_department_user = bool(
            user_obj is not None
            and getattr(user_obj, "id", None)
            and (user_obj.sysadmin or user_obj.get_group_ids(group_type="organization"))
        )
        return user_labels(default, is_department_user=is_department_user)
