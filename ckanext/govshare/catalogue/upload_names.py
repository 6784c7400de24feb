"""Uploaded files keep a usable name when the name is Chinese (issue 20, item 1).

CKAN stores an upload under ``munge_filename`` of its name, which keeps only ASCII letters,
digits and ``_ . -``: 人口数据.csv is stored as ``.csv``, a file with no name whose type
CKAN cannot guess from it. The resource then has no media type and no format, its DCAT
export no ``dcat:mediaType``, and its download no extension. Here Chinese is written in
pinyin before CKAN munges (人口数据.csv → ``ren-kou-shu-ju.csv``; pypinyin reads 重庆 as
*chong qing*, by phrase), full-width letters and digits are made ASCII (NFKC), and a name
with nothing left is called ``file`` with its extension. The resource keeps the file's own
name as its title when it was given none, as CKAN's upload form does.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any, Literal

from ckan.lib.munge import munge_filename
from pypinyin import lazy_pinyin

#: The name a file gets when nothing of its own is left after munging.
FALLBACK_STEM = "file"
#: The most of a file name read: CKAN keeps 100 characters of the stored name, and a title of
#: 200 is plenty; a browser may send anything.
MAX_NAME = 255


def _file_name(filename: str, form: Literal["NFC", "NFKC"]) -> str:
    """The last part of a path a browser sent (some send ``C:\\…``), normalised to ``form``,
    without control characters (PostgreSQL stores no NUL), at most ``MAX_NAME`` long with
    its extension kept."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", unicodedata.normalize(form, name)).strip()
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: max(MAX_NAME - len(ext), 0)] + ext[:MAX_NAME]
    return name


def _pinyin(text: str, separator: str) -> str:
    """``text`` with Chinese in pinyin, a separator between syllables but not at a dot."""
    out = ""
    for word in (w.strip() for w in lazy_pinyin(text)):
        if word:
            out += separator if out and "." not in (out[-1], word[0]) else ""
            out += word
    return out


def storable_name(filename: str) -> str:
    """The name to give CKAN for an uploaded file called ``filename``: Chinese in pinyin, and
    a stem where CKAN's munging would leave none, so that a name and extension survive."""
    name = _file_name(filename, "NFKC")
    stem, ext = os.path.splitext(name)
    if not ext and stem.startswith("."):
        stem, ext = "", stem  # ".csv": an extension with nothing before it
    if not name.isascii():
        stem, ext = _pinyin(stem, "-"), _pinyin(ext, "")
    if munge_filename(stem + ext).startswith("."):
        stem = FALLBACK_STEM
    return stem + ext


def prepare_upload(resource: dict[str, Any]) -> None:
    """Give a resource's uploaded file (``resource["upload"]``, werkzeug's ``FileStorage``) a
    name CKAN keeps, before CKAN's uploader reads it; name the resource after the file if it
    has no name."""
    upload = resource.get("upload")
    original = getattr(upload, "filename", None)
    if not isinstance(original, str) or not original or original.isascii():
        return
    upload.filename = storable_name(original)  # type: ignore[union-attr]
    if not resource.get("name"):
        resource["name"] = _file_name(original, "NFC")[:200] or None
