"""``govshare``: the government data-sharing platform on CKAN (see README.md)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from flask import has_request_context

from . import i18n_plurals, signals
from .audit import hooks as audit_hooks
from .catalogue import facets as catalogue_facets
from .catalogue.visibility import CataloguePermissionLabels
from .datalinks import hooks as datalinks
from .dcat import export as dcat_export

_labels = CataloguePermissionLabels()


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.validators
class GovsharePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ISignal)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPermissionLabels)

    def update_config(self, config: Any) -> None:
        i18n_plurals.install()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govshare")

    def get_signal_subscriptions(self) -> Any:
        return signals.subscriptions()

    # IPackageController: catalogue entries in the audit trail, in the action's transaction.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        audit_hooks.dataset_created(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        audit_hooks.dataset_updated(context, pkg_dict)

    def after_dataset_delete(self, context: Any, data_dict: dict[str, Any]) -> None:
        audit_hooks.dataset_deleted(context, data_dict)

    # IPackageController: catalogue fields in the search index; facet labels.
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return datalinks.index_document(catalogue_facets.index_document(pkg_dict))

    # IPackageController: DCAT endpoints leave out not-shared entries if so configured.
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return dcat_export.search_filter(search_params)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: Any) -> Any:
        lang = tk.h.lang() if has_request_context() else tk.config.get("ckan.locale_default")
        catalogue_facets.localise(search_results.get("search_facets", {}), lang or "")
        datalinks.after_dataset_search(search_results.get("results") or [])
        return search_results

    # IPackageController: no link to restricted data for those who may not have it (art. 14).
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        datalinks.after_dataset_show(context, pkg_dict)

    # IFacets: the catalogue's facets first, then CKAN's.
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        titles = {
            "share_type": tk._("Share type"),
            "resource_category": tk._("Resource category"),
            "basic_category": tk._("Basic resource category"),
            "theme": tk._("Theme"),
            "update_cycle": tk._("Update cycle"),
            "share_methods": tk._("Share methods"),
            "open_to_public": tk._("Open to the public"),
            "format_type": tk._("Resource format"),
        }
        ordered = type(facets_dict)()
        ordered["organization"] = tk._("Providing departments")
        ordered.update(titles)
        for key, value in facets_dict.items():
            if key not in ordered:
                ordered[key] = value
        return ordered

    # IPermissionLabels: departments see the whole catalogue, the public the open part.
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return _labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return _labels.get_user_dataset_labels(user_obj)

    # ITranslation: the catalog lives in ckanext/govshare/i18n (domain ckanext-govshare).
    def i18n_domain(self) -> str:
        return "ckanext-govshare"
