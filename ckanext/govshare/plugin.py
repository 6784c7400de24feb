"""``govshare``: the government data-sharing platform on CKAN (see README.md)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultTranslation
from flask import has_request_context

from . import i18n_plurals, logmask, signals
from .catalogue import facets as catalogue_facets
from .catalogue import upload_names
from .catalogue.visibility import CataloguePermissionLabels
from .core import identity
from .datalinks import hooks as datalinks
from .datalinks import stored as datalinks_stored
from .dcat import export as dcat_export
from .downloads import lognoise as download_lognoise
from .logins import service as login_throttle
from .regional import service as regional
from .review import service as catalogue_review
from .search import departments as search_departments
from .search import facet_titles as search_facet_titles
from .search import index_once as search_index_once
from .search import index_text as search_text

_labels = CataloguePermissionLabels()


def _auth_functions() -> dict[str, Any]:
    """Every auth function of ``logic.auth``, and the DataStore's side doors closed while the
    ``datastore`` plugin is loaded (issue 16, item 4; ``logic/auth/datastore.py``)."""
    from .logic import auth

    return auth.registered(datastore=p.plugin_loaded("datastore"))


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.blueprints
@tk.blanket.validators
class GovsharePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ISignal)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IUploader, inherit=True)

    def update_config(self, config: Any) -> None:
        # No download token or Authorization value in any log line (issue 14, item 2).
        logmask.install()
        download_lognoise.install()
        i18n_plurals.install()
        # Stored activities are judged when read, on the entry as it is now (issue 14, item 1).
        datalinks_stored.install()
        # A new entry is indexed once per commit, not twice (issue 20, item 4).
        search_index_once.install()
        # The platform's name, emblem and favicon; initials, never Gravatar (issue 19, item 1).
        identity.apply_defaults(config)
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govshare")
        # Users land on their workbench after logging in (issue 19, item 2), unless the site
        # chose another page: CKAN's default is the empty "My datasets" dashboard.
        landing = "ckan.auth.route_after_login"
        chosen = config.get(landing) or config.get("ckan.route_after_login")  # its old name
        if chosen in (None, "", "dashboard.datasets"):
            config[landing] = "govshare_workbench.index"

    # IUploader: every resource upload passes here before CKAN's uploader munges its name, in
    # resource_create, resource_update and package_update alike, on CKAN 2.11 and 2.12. A
    # Chinese file name is written in pinyin so that a name and its type survive (issue 20,
    # item 1); returning None leaves the storing to the next uploader plugin, or CKAN's own.
    def get_resource_uploader(self, data_dict: dict[str, Any]) -> None:
        upload_names.prepare_upload(data_dict)
        return None

    def get_signal_subscriptions(self) -> Any:
        return signals.subscriptions()

    # IAuthenticator: no login while the account or address is locked (issue 14 item 8).
    def login(self) -> Any:
        return login_throttle.refuse_if_locked()

    # IPackageController: catalogue fields in the search index; facet labels.
    # The department's title and the data items' names are searchable (issue 19, item 4).
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        doc = catalogue_facets.index_document(search_text.add_department_title(pkg_dict))
        return datalinks.index_document(doc)

    # IPackageController: DCAT endpoints leave out not-shared entries if so configured.
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        # Results carry their entry's id whatever ``fl`` asks for: judged on it when read.
        return dcat_export.search_filter(datalinks.search_params(search_params))

    def after_dataset_search(self, search_results: dict[str, Any], search_params: Any) -> Any:
        lang = tk.h.lang() if has_request_context() else tk.config.get("ckan.locale_default")
        catalogue_facets.localise(search_results.get("search_facets", {}), lang or "")
        datalinks.after_dataset_search(search_results.get("results") or [])
        # Where each entry stands in the authority's review, read now (2025 art. 16).
        catalogue_review.after_dataset_search(search_results.get("results") or [])
        return search_results

    # IPackageController: no link to restricted data for those who may not have it (art. 14).
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        datalinks.after_dataset_show(context, pkg_dict)
        # Where the entry stands in the authority's review (2025 art. 16), computed now.
        catalogue_review.after_dataset_show(pkg_dict)

    # IPackageController: a new active entry waits for the authority's review (2025 art. 16),
    # in the create's transaction (CKAN commits after the hooks).
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        catalogue_review.entry_created(context, pkg_dict)

    # IPackageController: an entry's data return follows its region item, coverage and owner
    # (2025 Regulations art. 24), in the update's transaction (CKAN commits after the hooks).
    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            regional.sync_entry(pkg_dict["id"])
            # A change of the catalogue content waits for review (2025 art. 16, 17).
            catalogue_review.entry_updated(context, pkg_dict)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            regional.sync_entry(pkg_dict["id"])
            catalogue_review.entry_deleted(pkg_dict["id"])

    # IOrganizationController (its create/edit share their names with IPackageController's,
    # which get a Package): a department created or changed gets the return grants its region
    # and level now call for, and loses the others (art. 24).
    def create(self, entity: Any) -> None:
        if isinstance(entity, model.Group) and entity.is_organization:
            regional.sync_department(entity.id)

    def edit(self, entity: Any) -> None:
        if isinstance(entity, model.Group) and entity.is_organization:
            regional.sync_department(entity.id)
            # Its entries are found by its title (issue 19, item 4): CKAN reindexes none of them.
            search_departments.reindex_if_renamed(entity.id, entity.title)

    # IFacets: the catalogue's facets first, then CKAN's, on every search page (issue 19, item 4).
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return search_facet_titles.ordered(facets_dict)

    def organization_facets(
        self, facets_dict: Any, organization_type: str, package_type: Any
    ) -> Any:
        return search_facet_titles.ordered(facets_dict, department=False)

    def group_facets(self, facets_dict: Any, group_type: str, package_type: Any) -> Any:
        return search_facet_titles.ordered(facets_dict)

    # IPermissionLabels: departments see the whole catalogue, the public the open part.
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return _labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return _labels.get_user_dataset_labels(user_obj)

    # ITranslation: the catalog lives in ckanext/govshare/i18n (domain ckanext-govshare).
    def i18n_domain(self) -> str:
        return "ckanext-govshare"
