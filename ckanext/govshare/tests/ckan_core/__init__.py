"""CKAN core's own search tests, run against the embedded search backend (issue 20, item 6).

``plugin.py`` is a pytest plugin (``-p ckanext.govshare.tests.ckan_core.plugin``), not a
conftest: the tests it serves live in the installed ``ckan`` package, outside this tree.
"""
