"""The optional attachment of a request (申请依据附件, workflows.md "Request form").

Files are kept under ``<ckan.storage_path>/govshare/attachments/<request id>/`` and served only
through the request page to those who may see the request; nothing links to them elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from typing import Any

import ckan.plugins.toolkit as tk

from ..core import config
from ..core.messages import message

ALLOWED_EXTENSIONS = frozenset(
    {"pdf", "ofd", "doc", "docx", "xls", "xlsx", "odt", "ods", "png", "jpg", "jpeg", "txt", "zip"}
)


def _root() -> str:
    storage = tk.config.get("ckan.storage_path")
    if not storage:
        raise tk.ValidationError(
            {
                "attachment": [
                    message(
                        "This site keeps no files (ckan.storage_path is not set): send the "
                        "request without an attachment",
                        "本站未配置文件存储，无法上传附件",
                    )
                ]
            }
        )
    return os.path.join(storage, "govshare", "attachments")


def _safe_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", base)
    return base.lstrip(".")[:120] or "attachment"


def is_upload(value: Any) -> bool:
    return hasattr(value, "stream") and hasattr(value, "filename") and bool(value.filename)


def save(upload: Any, request_id: str) -> dict[str, Any]:
    """Store an uploaded file for a request; refuse other types and oversized files."""
    name = _safe_name(upload.filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise tk.ValidationError(
            {
                "attachment": [
                    message(
                        f"Attach a document (one of: {', '.join(sorted(ALLOWED_EXTENSIONS))})",
                        f"附件格式不支持，可用：{'、'.join(sorted(ALLOWED_EXTENSIONS))}",
                    )
                ]
            }
        )
    limit = config.attachment_max_mb() * 1024 * 1024
    folder = os.path.join(_root(), request_id)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as out:
        while chunk := upload.stream.read(65536):
            size += len(chunk)
            if size > limit:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                mb = limit // (1024 * 1024)
                raise tk.ValidationError(
                    {"attachment": [message(f"The attachment is over {mb} MB", f"附件超过{mb}MB")]}
                )
            digest.update(chunk)
            out.write(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def discard(request_id: str) -> None:
    """Remove what ``save`` wrote when the request it belonged to was not created."""
    with contextlib.suppress(tk.ValidationError):
        shutil.rmtree(os.path.join(_root(), request_id), ignore_errors=True)


def path_of(request_id: str, attachment: dict[str, Any]) -> str | None:
    path = os.path.join(_root(), request_id, _safe_name(attachment.get("name") or ""))
    return path if os.path.isfile(path) else None
