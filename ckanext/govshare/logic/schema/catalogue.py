"""Input of the catalogue spreadsheet actions (``logic/action/catalogue.py``).

Error messages are in English and Chinese in one string (``core.messages``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Schema, Validator, ValidatorFactory

from ...core.messages import message
from .fields import boolean, reference, required

__all__ = ["catalogue_export_schema", "catalogue_import_schema", "department"]

NO_SUCH_DEPARTMENT = message("Department not found", "部门不存在")
NOT_A_WORKBOOK = message(
    "Send the spreadsheet (.xlsx) as a file upload", "请以文件上传方式提交电子表格（.xlsx）"
)


def department(value: Any, context: Any) -> dict[str, Any]:
    """An active organization's id or name -> ``{"id", "name", "title"}``."""
    group = model.Group.get(str(value).strip())
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(NO_SUCH_DEPARTMENT)
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def upload(value: Any, context: Any) -> Any:
    """A file upload (werkzeug ``FileStorage``): it has a name and a stream."""
    if not getattr(value, "filename", None) or getattr(value, "stream", None) is None:
        raise tk.Invalid(NOT_A_WORKBOOK)
    return value


@tk.validator_args
def catalogue_export_schema(ignore_missing: Validator) -> Schema:
    return {"id": [required, reference, department], "__extras": [ignore_missing]}


@tk.validator_args
def catalogue_import_schema(default: ValidatorFactory) -> Schema:
    return {
        **catalogue_export_schema(),
        "spreadsheet": [required, upload],
        "partial": [default(False), boolean],
    }
