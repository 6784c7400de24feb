"""Which searches the kept facet counts answer (``facet_counts_scope``): visibility only."""

from __future__ import annotations

import pytest

from ckanext.govshare.search.facet_counts_scope import LABELS, Condition, scope_of

AND = {"q.op": "AND"}

# What CKAN's package_search and PackageSearchQuery.run send for /dataset with no query.
CKAN_PAGE = [
    "+capacity:public  -dataset_type:harvest +state:(active) +dataset_type:dataset",
    '+site_id:"default"',
    '+permission_labels:("public" OR "member-9c1e" OR "creator-77")',
]

pytestmark = pytest.mark.unit


def test_the_catalogue_page_of_ckan_is_a_scope():
    scope = scope_of("*:*", CKAN_PAGE, AND)
    assert scope is not None
    assert scope.conditions == [
        Condition("capacity", ("public",)),
        Condition("dataset_type", ("harvest",), negated=True),
        Condition("state", ("active",)),
        Condition("dataset_type", ("dataset",)),
        Condition("site_id", ("default",)),
        Condition(LABELS, ("public", "member-9c1e", "creator-77")),
    ]


def test_drafts_and_deleted_are_either_state():
    scope = scope_of("", ["+state:(active OR draft OR deleted)"], AND)
    assert scope is not None
    assert scope.conditions == [Condition("state", ("active", "draft", "deleted"))]


def test_no_filter_at_all_is_every_row():
    scope = scope_of(None, [], {})
    assert scope is not None and scope.conditions == []


@pytest.mark.parametrize(
    "q, fq",
    [
        ("人口", []),  # a text query
        ("title:人口", []),  # a fielded query
        ("*:*", ["+organization:health"]),  # a facet filter
        ("*:*", ["-organization:health"]),  # a negated facet filter
        ("*:*", ["-*:*"]),
        ("*:*", ["state:active OR organization:health"]),  # an OR between fields
        ("*:*", ["(state:active OR organization:health)"]),
        ("*:*", ["site_id:def*"]),  # a wildcard
        ("*:*", ["state:[a TO z]"]),  # a range
        ("*:*", ["metadata_modified:[NOW-1DAY TO NOW]"]),
        ("*:*", ["state:(active"]),  # does not parse: the scan reports the error
    ],
)
def test_anything_else_is_counted_by_a_scan(q: str, fq: list[str]):
    assert scope_of(q, fq, AND) is None


def test_clauses_side_by_side_are_all_required_only_with_q_op_and():
    assert scope_of("*:*", ["state:active capacity:public"], AND) is not None
    assert scope_of("*:*", ["state:active capacity:public"], {"q.op": "OR"}) is None
    assert scope_of("*:*", ["+state:active +capacity:public"], {"q.op": "OR"}) is not None


def test_a_negated_visibility_filter_excludes_its_values():
    scope = scope_of("*:*", ["-dataset_type:(harvest OR showcase) NOT capacity:private"], AND)
    assert scope is not None
    assert scope.conditions == [
        Condition("dataset_type", ("harvest", "showcase"), negated=True),
        Condition("capacity", ("private",), negated=True),
    ]
    assert scope_of("*:*", ["-state:draft capacity:public"], {"q.op": "OR"}) is None


def test_escaped_and_quoted_values_are_read_as_the_compiler_reads_them():
    scope = scope_of("*:*", [r"+site_id:my\-site", '+permission_labels:"member-a b"'], AND)
    assert scope is not None
    assert scope.conditions == [
        Condition("site_id", ("my-site",)),
        Condition(LABELS, ("member-a b",)),
    ]
