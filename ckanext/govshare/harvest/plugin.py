"""Plugins of an upper platform's harvesting role (art. 8, 11; federation.md).

- ``govshare_dcat_harvester``: ckanext-dcat's RDF harvester (source type ``govshare_dcat_rdf``):
  it reads the lower platform with the API token of the harvest source's config (an account
  that may see the catalogue but not download restricted data), and stamps every harvested
  entry with its origin (``origin.stamp``). It reads only what changed since its last job and
  still deletes what left the source (``incremental``), from the source's listing of its
  entries where it offers one (``dcat/listing.py``).
- ``govshare_ckan_harvester``: ckanext-harvest's CKAN harvester, stamping origins too, and
  mirroring entries deleted or made private upstream. The stock harvester asks only for what
  changed since its last run, so an entry that disappeared from the source's search (deleted,
  or private: ckanext-harvest issue #396) stays on the upper platform forever; this one also
  lists every id the source still shows and deletes the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import HYDRA, RDFParser, RDFParserException
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, SearchError
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra, HarvestSource
from rdflib import URIRef
from rdflib.namespace import DCAT, RDF

from . import commits, incremental, naming, origin, pages, reuse, unchanged

log = logging.getLogger(__name__)

_source = threading.local()
# While the listing is read: a page it cannot get is logged, not saved as the job's error.
_quiet: ContextVar[bool] = ContextVar("govshare_dcat_listing_quiet", default=False)

#: The profile a govshare lower platform lists its entries with (``dcat/listing.py``; the
#: domains do not import one another: a test holds the two names equal). Asked of a remote
#: platform, which may run another version or no govshare at all.
LIST_PROFILE = "govshare_list"


def _total(parser: RDFParser) -> int | None:
    """A page's ``hydra:totalItems``: the entries of the whole catalogue."""
    totals = [int(str(o)) for o in parser.g.objects(None, HYDRA.totalItems)]
    return totals[0] if totals else None


# The harvest source types whose entries carry ckanext-dcat's ``guid`` extra.
RDF_SOURCE_TYPES = ("dcat_rdf", "govshare_dcat_rdf")


def _config(source: Any) -> dict[str, Any]:
    try:
        return json.loads(getattr(source, "config", None) or "{}")
    except ValueError:
        return {}


def _stamp(dataset: dict[str, Any], harvest_object: Any) -> None:
    source = harvest_object.source or harvest_object.job.source
    uri = dataset.get("uri") or ""
    remote_ref = uri.rstrip("/").rsplit("/", 1)[-1] if "/dataset/" in uri else None
    origin.stamp(dataset, source_title=source.title, source_url=source.url, remote_ref=remote_ref)


@tk.chained_action
def harvest_source_show(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """The harvest source read from the database, never from the search index's copy.

    CKAN 2.12 answers ``package_show`` from the index when it can (``use_cache``), and the
    copy ckanext-harvest 1.6 indexes for a source lacks ``source_type`` and ``config``: every
    job after a source's first one then fails (``KeyError: 'source_type'``)."""
    tk.check_access("harvest_source_show", context, data_dict)
    context["use_cache"] = False
    return up(context, data_dict)


_importing: ContextVar[bool] = ContextVar("govshare_harvest_importing", default=False)


@tk.chained_action
@tk.side_effect_free
def harvest_source_show_status(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """A source's status, except while one of its entries is being imported.

    ckanext-harvest's CKAN harvester shows the harvest source in every entry's import (for its
    organization), and showing a source counts every dataset harvested from it so far: a
    harvest of N entries then costs N counts over up to N rows. The import needs none of it.
    """
    tk.check_access("harvest_source_show_status", context, data_dict)
    if _importing.get():
        return {"job_count": None, "last_job": None, "total_datasets": None}
    return up(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_show(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """The harvest source's dataset shown once per batch of ``harvest run`` (``reuse.py``);
    every other show as CKAN answers it."""
    shown_id = data_dict.get("id") if isinstance(data_dict, dict) else None
    if context.get("for_update") or context.get("for_edit") or not reuse.is_source(shown_id):
        return up(context, data_dict)
    tk.check_access("package_show", context, data_dict)
    return reuse.source_shown(lambda: up(dict(context), data_dict))


@tk.chained_action
def package_create(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """The new entry's id, not its ``package_show``, where the CKAN harvester's create throws
    the answer away (``reuse.create_answers_id``); CKAN's action checks the access."""
    with reuse.create_answer() as id_only:
        if id_only:
            context["return_id_only"] = True
        return up(context, data_dict)


class _SourceFromDatabase:
    """IActions of both harvester plugins (either may be enabled alone)."""

    def get_actions(self) -> dict[str, Any]:
        return {
            "harvest_source_show": harvest_source_show,
            "harvest_source_show_status": harvest_source_show_status,
            "package_show": package_show,
            "package_create": package_create,
        }


def _own_singleton(cls: Any) -> Any:
    # SingletonPlugin keeps its instance in a class attribute, which a subclass inherits:
    # without its own, a harvester subclass would be its parent's instance, renamed.
    if "_instance" not in cls.__dict__:
        cls._instance = object.__new__(cls)
    return cls._instance


class _NamedDatasets:
    """An RDF parser whose datasets come with a name (``naming.source_name``), so that
    ckanext-dcat's gather does not name them after their titles."""

    def __init__(self, parser: Any) -> None:
        self._parser = parser

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._parser, attr)

    def datasets(self) -> Iterator[dict[str, Any]]:
        for dataset in self._parser.datasets():
            if not dataset.get("name"):
                dataset["name"] = naming.source_name(dataset)
            yield dataset


def _name_taken(name: str) -> bool:
    # Deleted entries keep their names in CKAN: they count as taken.
    query = model.Session.query(model.Package.id).filter(model.Package.name == name)
    return query.first() is not None


def _last_complete_import(harvest_object: Any) -> tuple[str | None, bool]:
    """The fingerprint of the source's current, complete record of the same guid (None if
    there is none, or it has no fingerprint), and whether the entry it wrote is still live."""
    previous = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.guid == harvest_object.guid)
        .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
        .filter(HarvestObject.current == True)  # noqa: E712
        .filter(HarvestObject.state == "COMPLETE")
        .filter(HarvestObject.id != harvest_object.id)
        .first()
    )
    if previous is None or not previous.package_id:
        return None, False
    recorded = next((e.value for e in previous.extras if e.key == unchanged.EXTRA), None)
    package = model.Package.get(previous.package_id)
    return recorded, package is not None and package.state == "active"


class GovshareDCATRDFHarvester(_SourceFromDatabase, DCATRDFHarvester):
    """ckanext-dcat's RDF harvester for an upper govshare platform (source type
    ``govshare_dcat_rdf``); its hooks also serve the stock ``dcat_rdf`` harvester.

    - reads the source with the API token of the source's config (``api_key``);
    - stamps every entry with its origin (``origin.stamp``);
    - finds the entry it harvested before whatever the upper platform shows anonymous
      visitors: the stock harvester looks it up as nobody, and an upper govshare platform
      shows nobody its entries that are not open (``catalogue/visibility.py``), so the
      stock harvester fails on every update of such an entry;
    - finds it through the harvest records, by an index, not by scanning every extra;
    - names a new entry as the source platform does (``naming``), not after its title;
    - skips an entry whose import would write it as it is (``unchanged``);
    - asks for what changed since its last complete job (``modified_since``), and still
      mirrors deletions, by the catalogue's count or a walk of it (``incremental``).
    """

    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IActions)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _own_singleton(cls)

    def info(self) -> dict[str, str]:
        return {
            "name": "govshare_dcat_rdf",
            "title": "DCAT RDF (govshare)",
            "description": "Harvests a govshare platform's DCAT catalogue (profile govshare)",
        }

    def _read_datasets_from_db(self, guid: str) -> list[Any]:
        """The active entries harvested before under ``guid``, found through the harvest
        records (``harvest_object.guid`` is indexed).

        ckanext-dcat looks for a ``guid`` extra instead, and neither CKAN 2.11's
        ``package_extra`` nor 2.12's ``package.extras`` has an index for it: each entry's
        import scanned every extra of the catalogue (24 ms at 7,000 harvested entries,
        growing with the catalogue), so a harvest grew quadratic. The entries that carry the
        extra are those an RDF harvester wrote: the lookup keeps to their records.

        Two statements, so that no planner estimate can start from the package table (a join
        did, on tables not analyzed yet: 11 ms at 4,000 entries)."""
        records = (
            model.Session.query(HarvestObject.package_id)
            .join(HarvestSource, HarvestSource.id == HarvestObject.harvest_source_id)
            .filter(HarvestObject.guid == guid)
            .filter(HarvestObject.package_id.isnot(None))
            .filter(HarvestSource.type.in_(RDF_SOURCE_TYPES))
            .distinct()
        )
        ids = [package_id for (package_id,) in records]
        if not ids:
            return []
        return (
            model.Session.query(model.Package.id)
            .filter(model.Package.id.in_(ids))
            .filter(model.Package.state == "active")
            .all()
        )

    def _get_existing_dataset(self, guid: str) -> dict[str, Any] | None:
        datasets = self._read_datasets_from_db(guid)
        if not datasets:
            return None
        if len(datasets) > 1:
            log.error("More than one dataset has the guid %s", guid)
        return tk.get_action("package_show")({"ignore_auth": True}, {"id": datasets[0][0]})

    def gather_stage(self, harvest_job: Any) -> Any:
        """ckanext-dcat's gather, reading only what changed since the last complete job unless
        a full walk is due (``incremental.py``)."""
        config = _config(harvest_job.source)
        previous = self.last_error_free_job(harvest_job)
        started = previous.gather_started if previous is not None else None
        now = harvest_job.gather_started or dt.datetime.utcnow()
        if started is None or incremental.full_walk_due(started, now, config):
            _source.since = None
        else:
            _source.since = incremental.since(started, config)
        try:
            return super().gather_stage(harvest_job)
        finally:
            _source.since = None

    def _mark_datasets_for_deletion(self, guids_in_source: list[str], harvest_job: Any) -> Any:
        """Deletions of an incremental job: none when the catalogue's count proves it, else
        those a walk of the whole catalogue finds (``incremental.none_deleted``)."""
        if not getattr(_source, "since", None):
            return super()._mark_datasets_for_deletion(guids_in_source, harvest_job)
        current = (
            model.Session.query(HarvestObject.guid)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(HarvestObject.harvest_source_id == harvest_job.source.id)
        )
        known = {guid for (guid,) in current} | set(guids_in_source)
        every = self._catalogue_guids(harvest_job, total_only=True)
        if isinstance(every, int) and incremental.none_deleted(every, known):
            return []
        log.info(
            "%s: the catalogue's count differs from the entries known: full walk",
            harvest_job.source.url,
        )
        every = self._catalogue_guids(harvest_job, total_only=False)
        if not isinstance(every, set) or not every:
            self._save_gather_error(
                "Could not list the catalogue's entries: nothing deleted", harvest_job
            )
            return []
        return super()._mark_datasets_for_deletion(list(every), harvest_job)

    def _catalogue_guids(self, harvest_job: Any, *, total_only: bool) -> int | set[str] | None:
        """The whole catalogue's ``hydra:totalItems`` (``total_only``: its first page only), or
        the guid of every entry it holds: from the source's listing where it offers one
        (``_listed_guids``), else from every full page; None if a page cannot be read."""
        source_url = harvest_job.source.url
        if total_only:
            for parser in self._pages(source_url, harvest_job):
                return _total(parser) if parser is not None else None
            return None
        listed = self._listed_guids(harvest_job)
        if listed is not None:
            return listed
        guids: set[str] = set()
        for parser in self._pages(source_url, harvest_job):
            if parser is None:
                return None
            guids.update(self._page_guids(parser, source_url))
        return guids

    def _listed_guids(self, harvest_job: Any) -> set[str] | None:
        """Every guid of the catalogue read from its ``govshare_list`` pages (``dcat/
        listing.py``): the same endpoint, search and paging as the full pages, each entry only
        named. None where the source offers no listing (a lower platform without the profile
        answers 409: not an error of the job, which then reads the full pages), a page names
        an entry by a blank node, or the pages name fewer entries than their count (an entry
        moved between pages while they were read: deleting by such a listing would delete an
        entry still there)."""
        source_url = harvest_job.source.url
        url = incremental.with_param(source_url, "profiles", LIST_PROFILE)
        guids: set[str] = set()
        total: int | None = None
        token = _quiet.set(True)
        try:
            for parser in self._pages(url, harvest_job):
                if parser is None:
                    return None
                if total is None:
                    total = _total(parser)
                refs = list(parser.g.subjects(RDF.type, DCAT.Dataset))
                if not all(isinstance(ref, URIRef) for ref in refs):
                    return None
                guids.update(str(ref) for ref in refs)
        finally:
            _quiet.reset(token)
        if total is None or len(guids) < total:
            log.info("%s: no complete listing of the catalogue: reading its pages", source_url)
            return None
        return guids

    def _pages(self, url: str | None, harvest_job: Any) -> Iterator[RDFParser | None]:
        """Each page of the catalogue from ``url`` on, parsed, following its hydra paging;
        None (and the walk ends) where a page cannot be read or parsed."""
        rdf_format = _config(harvest_job.source).get("rdf_format")
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            content, rdf_format = self._get_content_and_type(
                url, harvest_job, 1, content_type=rdf_format
            )
            if not content:
                yield None
                return
            parser = RDFParser()
            try:
                parser.parse(content, _format=rdf_format)
            except RDFParserException:
                yield None
                return
            yield parser
            url = parser.next_page()

    def _save_gather_error(self, message: str, job: Any) -> None:
        """A page of the listing the source does not offer is not the job's error."""
        if _quiet.get():
            log.info("%s (the catalogue's listing)", message)
            return
        super()._save_gather_error(message, job)

    def _page_guids(self, parser: RDFParser, source_url: str) -> Iterator[str]:
        """The guid of each entry on a parsed page, as the gather derives it (``_get_guid``).

        An entry with a URI is known by it: the profiles write the URI as the ``uri`` the guid
        is read from first, so the page's subjects typed ``dcat:Dataset`` are its guids. Having
        every profile parse every entry only to read that back cost 1.4–1.5 ms of CPU an entry,
        about 2.5 minutes of a walk of 100,000 entries (docs/benchmarks.md). A page with an
        entry that is a blank node is parsed by the profiles, as the gather reads it."""
        refs = list(parser.g.subjects(RDF.type, DCAT.Dataset))
        if all(isinstance(ref, URIRef) for ref in refs):
            yield from (str(ref) for ref in refs)
            return
        for dataset in parser.datasets():
            guid = self._get_guid(dataset, source_url=source_url)
            if guid:
                yield guid

    # IDCATRDFHarvester
    def before_download(self, url: str, harvest_job: Any) -> tuple[str, list[str]]:
        _source.api_key = _config(harvest_job.source).get("api_key")
        since = getattr(_source, "since", None)
        if since and url == harvest_job.source.url:
            url = incremental.with_param(url, "modified_since", since)
        return url, []

    def update_session(self, session: Any) -> Any:
        session = pages.OneRequestPerPage(session.headers)
        api_key = getattr(_source, "api_key", None)
        if api_key:
            session.headers["Authorization"] = api_key
        return session

    def import_stage(self, harvest_object: Any) -> bool | str:
        """ckanext-dcat's import, skipped for an entry that would come out as it is
        (``unchanged.py``); ``"force_all": true`` in the source's config imports every one."""
        status = self._get_object_extra(harvest_object, "status")
        if harvest_object.content is None or status == "delete":
            return super().import_stage(harvest_object)
        source = harvest_object.source or harvest_object.job.source
        current = unchanged.fingerprint(
            harvest_object.content, source.title or "", source.url or ""
        )
        previous, copy_live = _last_complete_import(harvest_object)
        if unchanged.may_skip(
            current,
            previous,
            copy_live=copy_live,
            force_all=bool(_config(source).get("force_all")),
        ):
            return "unchanged"
        with commits.relaxed(model.Session):
            result = super().import_stage(harvest_object)
        if result is True:
            harvest_object.extras.append(HarvestObjectExtra(key=unchanged.EXTRA, value=current))
            harvest_object.save()
        return result

    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        return (_NamedDatasets(rdf_parser) if rdf_parser else rdf_parser), []

    def before_create(self, harvest_object: Any, dataset_dict: dict[str, Any], temp: Any) -> None:
        name = dataset_dict.get("name") or naming.source_name(dataset_dict)
        dataset_dict["name"] = naming.unique_name(name, harvest_object.guid or "", _name_taken)
        _stamp(dataset_dict, harvest_object)

    def before_update(self, harvest_object: Any, dataset_dict: dict[str, Any], temp: Any) -> None:
        _stamp(dataset_dict, harvest_object)


class GovshareCKANHarvester(_SourceFromDatabase, CKANHarvester):
    """The CKAN harvester with origins, and deletions mirrored (ckanext-harvest #396)."""

    p.implements(p.IActions)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _own_singleton(cls)

    def info(self) -> dict[str, str]:
        return {
            "name": "govshare_ckan",
            "title": "CKAN (govshare)",
            "description": "Harvests a CKAN or govshare platform; mirrors entries deleted or "
            "made private upstream",
            "form_config_interface": "Text",
        }

    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        object_ids = super().gather_stage(harvest_job)
        if object_ids is None:
            return None  # the source could not be searched: delete nothing
        base_url = harvest_job.source.url.rstrip("/")
        try:
            remote_ids = self._remote_ids(base_url, self._filter_terms())
        except SearchError as e:
            self._save_gather_error(f"Unable to list the source's datasets: {e}", harvest_job)
            return object_ids
        if not remote_ids:
            # An empty catalogue is far likelier a broken account or filter than a platform
            # that deleted everything: keep what was harvested.
            self._save_gather_error("The source lists no datasets: nothing deleted", harvest_job)
            return object_ids
        return list(object_ids) + self._mark_for_deletion(remote_ids, harvest_job)

    def _filter_terms(self) -> list[str]:
        terms: list[str] = []
        config = self.config or {}
        include = config.get("organizations_filter_include", [])
        exclude = config.get("organizations_filter_exclude", [])
        if include:
            terms.append(" OR ".join(f"organization:{name}" for name in include))
        elif exclude:
            terms.extend(f"-organization:{name}" for name in exclude)
        groups_include = config.get("groups_filter_include", [])
        groups_exclude = config.get("groups_filter_exclude", [])
        if groups_include:
            terms.append(" OR ".join(f"groups:{name}" for name in groups_include))
        elif groups_exclude:
            terms.extend(f"-groups:{name}" for name in groups_exclude)
        return terms

    def _remote_ids(self, base_url: str, fq_terms: list[str]) -> set[str]:
        """Every dataset id the source shows the harvester's account (only ids: cheap)."""
        url = base_url + self._get_search_api_offset()
        rows = 1000
        params: dict[str, Any] = {"rows": rows, "start": 0, "sort": "id asc", "fl": "id"}
        if fq_terms:
            params["fq"] = " ".join(fq_terms)
        ids: set[str] = set()
        while True:
            try:
                answer = json.loads(self._get_content(url + "?" + urlencode(params)))
                results = answer["result"]["results"]
            except (ValueError, KeyError, TypeError) as e:
                raise SearchError(f"bad answer from {url}: {e!r}") from e
            except Exception as e:  # ContentFetchError and friends
                raise SearchError(str(e)) from e
            ids.update(r["id"] for r in results)
            if len(results) < rows:
                return ids
            params["start"] += rows

    def _mark_for_deletion(self, remote_ids: set[str], harvest_job: Any) -> list[str]:
        current = (
            model.Session.query(HarvestObject.guid, HarvestObject.package_id)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(HarvestObject.harvest_source_id == harvest_job.source.id)
        )
        object_ids = []
        for guid, package_id in current:
            if guid in remote_ids or not package_id:
                continue
            model.Session.query(HarvestObject).filter_by(guid=guid).update(
                {"current": False}, False
            )
            obj = HarvestObject(
                guid=guid,
                job=harvest_job,
                package_id=package_id,
                extras=[HarvestObjectExtra(key="status", value="delete")],
            )
            obj.save()
            object_ids.append(obj.id)
        return object_ids

    def import_stage(self, harvest_object: Any) -> bool | str:
        status = next((e.value for e in harvest_object.extras if e.key == "status"), None)
        if status != "delete":
            token = _importing.set(True)
            try:
                with commits.relaxed(model.Session), reuse.create_answers_id():
                    return super().import_stage(harvest_object)
            finally:
                _importing.reset(token)
        context: Context = {"session": model.Session, "user": self._get_user_name()}
        try:
            tk.get_action("package_delete")(
                {**context, "ignore_auth": True}, {"id": harvest_object.package_id}
            )
            log.info("Deleted %s: gone from the source", harvest_object.package_id)
        except tk.ObjectNotFound:
            pass
        model.Session.commit()
        return True

    def modify_package_dict(self, package_dict: dict[str, Any], harvest_object: Any) -> Any:
        source = harvest_object.source or harvest_object.job.source
        origin.stamp(
            package_dict,
            source_title=source.title,
            source_url=source.url,
            remote_ref=package_dict.get("name"),
        )
        for resource in package_dict.get("resources") or []:
            resource.pop("govshare_restricted", None)
        return package_dict
