"""How each index field is matched, as CKAN's Solr ``schema.xml`` declares it.

One place decides whether ``field:value`` is an exact string match, a full-text match, a date
or a number, so that the embedded backend answers fielded queries as Solr does.
"""

from __future__ import annotations

import fnmatch
from enum import Enum


def _names(text: str) -> list[str]:
    return text.split()


class Kind(str, Enum):
    STRING = "string"
    TEXT = "text"
    NGRAM = "ngram"
    DATE = "date"
    INT = "int"


_STRING_FIELDS = _names(
    "index_id id site_id entity_type dataset_type state name revision_id version url"
    " ckan_url download_url license license_id tags groups organization capacity"
    " permission_labels res_format res_url res_type title_string data_dict"
    " validated_data_dict _version_"
    # ckanext-govshare's catalogue fields (docker/solr/schema.xml declares them too)
    " share_methods related_resource_codes"
)
_TEXT_FIELDS = _names(
    "title notes text urls author author_email maintainer maintainer_email res_name"
    " res_description depends_on dependency_of derives_from has_derivation links_to"
    " linked_from child_of parent_of"
    # ckanext-govshare's catalogue fields (docker/solr/schema.xml declares them too)
    " data_item_names"
)
_INT_FIELDS = _names("views_total views_recent resources_accessed_total resources_accessed_recent")

_EXACT: dict[str, Kind] = {
    **dict.fromkeys(_STRING_FIELDS, Kind.STRING),
    **dict.fromkeys(_TEXT_FIELDS, Kind.TEXT),
    **dict.fromkeys(_INT_FIELDS, Kind.INT),
    "title_ngram": Kind.NGRAM,
    "name_ngram": Kind.NGRAM,
    "metadata_created": Kind.DATE,
    "metadata_modified": Kind.DATE,
    "indexed_ts": Kind.DATE,
}

# Checked in order after the exact names, as Solr resolves dynamic fields.
_DYNAMIC: list[tuple[str, Kind]] = [
    ("*_date", Kind.DATE),
    ("extras_*", Kind.TEXT),
    ("res_extras_*", Kind.TEXT),
    ("vocab_*", Kind.STRING),
    ("*", Kind.STRING),
]

# Fields Solr indexes but does not store: never returned in results.
NOT_STORED = frozenset(
    _names(
        "permission_labels text urls title_string depends_on dependency_of derives_from"
        " has_derivation links_to linked_from child_of parent_of views_total views_recent"
        " resources_accessed_total resources_accessed_recent"
    )
)

# Solr does not index these (indexed="false"): they are stored only.
NOT_INDEXED = frozenset(("data_dict", "validated_data_dict"))

# Filters CKAN adds to nearly every query get columns of their own, so PostgreSQL has real
# statistics for them and picks the selective index (full text, or the user's filter).
COLUMNS = {
    # ``id`` and ``name`` first: CKAN's package_show reads an entry from the index by them
    # (``+id:X OR name:X``), and the btree indexes answer that at any catalogue size, where
    # the containment on ``terms`` had the planner scan every row. ``name`` is indexed in the
    # C collation (byte equality, as Solr's string fields compare).
    "id": "package_id",
    "name": 'name COLLATE "C"',
    "site_id": "site_id",
    "state": "state",
    "capacity": "capacity",
    "dataset_type": "dataset_type",
    "entity_type": "entity_type",
}
ARRAY_COLUMNS = {"permission_labels": "permission_labels"}

# Fields whose facet values are also kept as integers (``facet_codes``), so counting them over
# a whole catalogue is fast. Faceting on any other field works too, from ``terms``, slower.
# ``ckanext.govshare.search.coded_facets`` adds fields (re-index after changing it).
CODED_FACETS = frozenset(
    _names(
        "organization owner_org groups tags res_format res_type license_id share_type"
        " resource_category basic_category theme update_cycle share_methods open_to_public"
        " format_type department_level data_grade"
    )
)


def is_coded_facet(field: str) -> bool:
    from ..core import config

    if kind_of(field) in (Kind.TEXT, Kind.NGRAM):
        return False  # text fields facet on their analysed terms, from ``terms``
    extra = config.search_coded_facets()
    return field in CODED_FACETS or field.startswith("vocab_") or field in extra


# Sources of the catch-all ``text`` field (schema.xml copyField), by weight for ranking:
# dismax searches ``name^4 title^4 tags^2 groups^2 text``.
TEXT_SOURCES_A = ("name", "title")
TEXT_SOURCES_B = ("tags", "groups")
TEXT_SOURCES_D = (
    "text",
    "notes",
    "license",
    "organization",
    "res_name",
    "res_description",
    "maintainer",
    "url",
    "ckan_url",
    "download_url",
    "res_url",
    "urls",
)
TEXT_SOURCE_PREFIXES = ("extras_", "res_extras_", "vocab_")


def kind_of(field: str) -> Kind:
    kind = _EXACT.get(field)
    if kind is not None:
        return kind
    for pattern, dyn_kind in _DYNAMIC:
        if fnmatch.fnmatchcase(field, pattern):
            return dyn_kind
    return Kind.STRING


def is_stored(field: str) -> bool:
    if field in NOT_STORED:
        return False
    if field in _EXACT:
        return True
    # The catch-all dynamic field is not stored; the others are.
    return any(fnmatch.fnmatchcase(field, p) for p, _ in _DYNAMIC[:-1])
