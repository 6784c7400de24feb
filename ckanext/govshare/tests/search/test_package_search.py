"""``package_search`` answered by the embedded backend: text, filters, facets, sort, paging."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.tests import factories as gs_factories

PUBLIC = {"population-basic", "household-register", "hospitals", "vaccinations"}


def names(**params: Any) -> set[str]:
    return {d["name"] for d in call_action("package_search", **params)["results"]}


def ordered(**params: Any) -> list[str]:
    return [d["name"] for d in call_action("package_search", **params)["results"]]


@pytest.mark.usefixtures("catalogue")
class TestText:
    def test_two_character_chinese_word_inside_a_title(self):
        assert names(q="人口") == {"population-basic", "vaccinations"}
        assert names(q="人口基础") == {"population-basic"}
        assert names(q="基础信息") == {"population-basic"}

    def test_english_words_are_stemmed(self):
        assert names(q="hospital") == {"hospitals"}
        assert names(q="Hospitals") == {"hospitals"}
        # "population" is in one abstract, and in a name (names are copied into Solr's text).
        assert names(q="population") == {"vaccinations", "population-basic"}
        assert names(q="registrations") == {"household-register"}

    def test_minimum_match_of_three_clauses_is_two(self):
        assert names(q="hospital beds zebra") == {"hospitals"}
        assert names(q="zebra giraffe hospital") == set()

    def test_required_and_prohibited_words(self):
        assert names(q="+health -hospital") == {"vaccinations"}
        assert names(q="-人口") == PUBLIC - {"population-basic", "vaccinations"}

    def test_no_match_and_match_all(self):
        assert names(q="不存在的词") == set()
        assert names(q="") == PUBLIC
        assert names(q="*:*") == PUBLIC

    def test_fielded_query(self):
        assert names(q="title:人口") == {"population-basic"}
        assert names(q="tags:户籍") == {"population-basic", "household-register"}
        assert names(q='name:"hospitals" OR name:"vaccinations"') == {"hospitals", "vaccinations"}
        assert names(q="name:hosp*") == {"hospitals"}

    def test_resource_fields_are_searchable(self):
        assert names(q="人口表") == {"population-basic"}
        assert names(q="res_format:JSON") == {"household-register"}

    def test_score_puts_title_matches_first(self):
        # "population" is in the title's text of none; "人口" is in a title (A) and a tag (B).
        result = ordered(q="人口", sort="score desc, metadata_modified desc")
        assert result[0] == "population-basic"


@pytest.mark.usefixtures("catalogue")
class TestFilters:
    def test_organization_groups_tags_format_license_type(self):
        assert names(fq="organization:health") == {"hospitals", "vaccinations"}
        assert names(fq="groups:population-theme") == {"population-basic"}
        assert names(fq='tags:"户籍"') == {"population-basic", "household-register"}
        assert names(fq="res_format:CSV") == {"population-basic", "hospitals"}
        assert names(fq="license_id:cc-by") == {"population-basic", "hospitals"}
        assert names(fq="dataset_type:dataset") == PUBLIC
        assert names(fq="type:dataset") == PUBLIC

    def test_fq_list_and_combinations(self):
        assert names(fq_list=["organization:health", "tags:人口"]) == {"vaccinations"}
        assert names(fq="(organization:health OR tags:户籍)") == {
            "hospitals",
            "vaccinations",
            "population-basic",
            "household-register",
        }
        # Without parentheses, Lucene (and so Solr) reads the OR'ed clauses as optional next to
        # the +capacity/+state clauses CKAN adds: the filter then filters nothing.
        assert names(fq="organization:health OR tags:不存在") == PUBLIC
        assert names(fq="+organization:police +res_format:JSON") == {"household-register"}
        assert names(fq="organization:(health OR police) -tags:人口") == {
            "hospitals",
            "household-register",
        }

    def test_negation(self):
        assert names(fq="-organization:health") == {"population-basic", "household-register"}
        assert names(fq="-tags:*") == set()

    def test_dates(self):
        assert names(fq="metadata_modified:[NOW-1DAY TO NOW+1DAY]") == PUBLIC
        assert names(fq="metadata_created:[* TO 2000-01-01T00:00:00Z]") == set()
        assert names(fq="metadata_created:{2000-01-01T00:00:00Z TO *}") == PUBLIC

    def test_state_and_capacity_for_sysadmin(self, sysadmin: dict[str, Any]):
        ctx = {"user": sysadmin["name"]}
        drafts = call_action("package_search", ctx, include_drafts=True, fq="state:draft")
        assert {d["name"] for d in drafts["results"]} == {"draft-entry"}
        private = call_action("package_search", ctx, include_private=True, fq="capacity:private")
        assert {d["name"] for d in private["results"]} == {"private-clinic-records"}

    def test_schema_field_values_are_filterable(
        self, catalogue: dict[str, Any], sysadmin: dict[str, Any]
    ):
        # A field of the dataset schema (a text field in CKAN's Solr schema).
        call_action(
            "package_patch", {"user": sysadmin["name"]}, id="hospitals", maintainer="张三 Zhang"
        )
        assert names(fq="maintainer:张三") == {"hospitals"}
        assert names(fq="maintainer:zhang") == {"hospitals"}

    def test_extension_fields_are_filterable_and_facetable(self, clean_db: Any):
        # Fields an extension adds (before_dataset_index, extras) are string fields in Solr's
        # catch-all dynamic field: exact matches, and facets.
        conn = PostgresSearchConnection()
        base = {
            "site_id": "govshare",
            "state": "active",
            "capacity": "public",
            "entity_type": "package",
            "dataset_type": "dataset",
        }
        conn.add(
            [
                {**base, "index_id": "x1", "id": "x1", "name": "x1", "custom_level": "high"},
                {**base, "index_id": "x2", "id": "x2", "name": "x2", "custom_level": "low"},
            ]
        )
        model.Session.commit()
        query = search.query_for(model.Package)
        query.run(
            {"q": "", "fq": "custom_level:high", "fl": "id", "facet.field": ["custom_level"]},
            permission_labels=None,
        )
        assert query.results == ["x1"]
        query.run({"q": "", "fl": "id", "facet.field": ["custom_level"]})
        assert query.facets["custom_level"] == {"high": 1, "low": 1}


@pytest.mark.usefixtures("catalogue")
class TestFacets:
    def test_counts(self):
        result = call_action(
            "package_search",
            **{"facet.field": ["organization", "tags", "res_format", "license_id", "groups"]},
        )
        facets = result["facets"]
        assert facets["organization"] == {"health": 2, "police": 2}
        assert facets["tags"] == {"人口": 2, "户籍": 2, "health": 2}
        assert facets["res_format"] == {"CSV": 2, "JSON": 1}
        assert facets["license_id"] == {"cc-by": 2, "other-closed": 1, "odc-by": 1}
        assert facets["groups"] == {"population-theme": 1}
        org_items = {i["name"]: i for i in result["search_facets"]["organization"]["items"]}
        assert org_items["health"]["display_name"] == "卫生健康委员会"

    def test_counts_follow_the_query(self):
        facets = call_action("package_search", q="人口", **{"facet.field": ["organization"]})
        assert facets["facets"]["organization"] == {"police": 1, "health": 1}

    def test_limit_and_mincount(self):
        top = call_action("package_search", **{"facet.field": ["res_format"], "facet.limit": 1})
        assert top["facets"]["res_format"] == {"CSV": 2}
        none = call_action("package_search", **{"facet.field": ["res_format"], "facet.mincount": 3})
        assert none["facets"]["res_format"] == {}


@pytest.mark.usefixtures("catalogue")
class TestSortAndPaging:
    def test_sort_by_name_and_title(self):
        assert ordered(sort="name asc") == sorted(PUBLIC)
        assert ordered(sort="name desc") == sorted(PUBLIC, reverse=True)
        # title_string sorts by code point, as Solr's string field: Latin before Han.
        assert ordered(sort="title_string asc")[0] == "hospitals"

    def test_sort_by_dates(self, sysadmin: dict[str, Any]):
        created = ordered(sort="metadata_created asc")
        assert created == ["population-basic", "household-register", "hospitals", "vaccinations"]
        call_action(
            "package_patch", {"user": sysadmin["name"]}, id="household-register", notes="updated"
        )
        assert ordered(sort="metadata_modified desc")[0] == "household-register"
        assert ordered(sort="metadata_created desc")[0] == "vaccinations"

    def test_rows_and_start(self):
        first = ordered(sort="name asc", rows=2, start=0)
        second = ordered(sort="name asc", rows=2, start=2)
        assert first + second == sorted(PUBLIC)
        page = call_action("package_search", rows=1, start=3, sort="name asc")
        assert page["count"] == 4 and len(page["results"]) == 1
        assert call_action("package_search", rows=5, start=10)["results"] == []

    def test_invalid_sort_is_a_400(self, app: Any):
        res = app.get(
            "/api/3/action/package_search", query_string={"sort": "name sideways"}, status=400
        )
        assert res.json["error"]["__type"] == "Search Query Error"

    def test_bad_query_syntax_is_an_error_not_a_crash(self, app: Any):
        res = app.get(
            "/api/3/action/package_search", query_string={"fq": "title:(unbalanced"}, status=409
        )
        assert res.json["error"]["__type"] == "Search Error"


class TestVisibility:
    def test_private_entries_only_for_members(self, catalogue: dict[str, Any]):
        member = factories.User()
        outsider = factories.User()
        call_action(
            "organization_member_create", id="health", username=member["name"], role="member"
        )
        call_action(
            "organization_member_create", id="police", username=outsider["name"], role="member"
        )

        def visible(user: dict[str, Any] | None) -> set[str]:
            ctx = {"user": user["name"] if user else "", "ignore_auth": False}
            result = call_action("package_search", ctx, include_private=True, rows=100)
            return {d["name"] for d in result["results"]}

        assert "private-clinic-records" in visible(member)
        assert "private-clinic-records" not in visible(outsider)
        assert "private-clinic-records" not in visible(None)
        # Counts agree with what is shown.
        ctx = {"user": outsider["name"], "ignore_auth": False}
        facets = call_action(
            "package_search", ctx, include_private=True, **{"facet.field": ["organization"]}
        )["facets"]
        assert facets["organization"]["health"] == 2

    def test_index_follows_the_dataset(self, clean_db: Any, sysadmin: dict[str, Any]):
        dataset = gs_factories.CatalogueEntry(
            title="事务测试", owner_org=gs_factories.Department()["id"]
        )
        assert names(q="事务测试") == {dataset["name"]}
        assert index_rows(dataset["id"]) == 1  # one row per dataset
        call_action(
            "package_patch", {"user": sysadmin["name"]}, id=dataset["id"], title="事务测试二"
        )
        assert index_rows(dataset["id"]) == 1
        call_action("package_delete", {"user": sysadmin["name"]}, id=dataset["id"])
        assert names(q="事务测试") == set()
        assert index_rows(dataset["id"]) == 0  # ckan.search.remove_deleted_packages

    def test_a_failed_index_write_leaves_no_dataset(
        self, clean_db: Any, monkeypatch: Any, sysadmin: dict[str, Any]
    ):
        org = gs_factories.Department()

        def broken(doc: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr("ckanext.govshare.search.connection.build_row", broken)
        with pytest.raises(Exception, match="disk full"):
            call_action(
                "package_create",
                name="half-written",
                title="半截",
                notes="x",
                owner_org=org["id"],
                **gs_factories.entry_fields(),
            )
        model.Session.rollback()
        assert model.Package.by_name("half-written") is None

    def test_index_rows_are_written_in_the_callers_transaction(self, clean_db: Any):
        conn = PostgresSearchConnection()
        conn.add([{"index_id": "tx-1", "id": "tx-1", "site_id": "govshare", "name": "tx"}])
        with model.meta.engine.connect() as other:
            seen = other.execute(
                sa.text("SELECT count(*) FROM govshare_search_index WHERE index_id = 'tx-1'")
            ).scalar()
        assert seen == 0  # not visible outside the transaction before it commits
        assert index_rows("tx-1") == 1
        model.Session.rollback()
        assert index_rows("tx-1") == 0


def index_rows(package_id: str) -> int:
    return model.Session.execute(
        sa.text("SELECT count(*) FROM govshare_search_index WHERE package_id = :id"),
        {"id": package_id},
    ).scalar()
