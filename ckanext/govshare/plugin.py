"""``govshare``: the government data-sharing platform on CKAN (see README.md)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import i18n_plurals, signals


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
class GovsharePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ISignal)

    def update_config(self, config: Any) -> None:
        i18n_plurals.install()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govshare")

    def get_signal_subscriptions(self) -> Any:
        return signals.subscriptions()

    # ITranslation: the catalog lives in ckanext/govshare/i18n (domain ckanext-govshare).
    def i18n_domain(self) -> str:
        return "ckanext-govshare"
