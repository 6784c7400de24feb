"""Which CKAN core tests prove the embedded backend Solr-equal, and which are left out.

``MODULES`` names the test modules of the installed ``ckan`` package that are run and, for
each, the word a test's class or function name must contain to be selected (as ``-k WORD``
on that module; ``None`` runs the whole module). ``DESELECTED`` lists the tests that check
Solr itself rather than search behaviour, each with the reason. Entries are matched on
``module::Class::test`` so that CKAN 2.11 and 2.12 share the list: an entry that matches no
test of the installed CKAN (renamed or gone in that version) is reported, not an error.
"""

from __future__ import annotations

#: module -> the word the test's ``Class::function`` must contain (None: every test). The
#: action modules run whole, as the outside review of issue 20 ran them (524 tests with the
#: search controller tests): every dataset action of core reads or writes the index. For a
#: shorter run, "search" (test_get) and "package" (test_create) keep 52 of their 378 tests.
MODULES: dict[str, str | None] = {
    "ckan.tests.lib.search.test_common": None,
    "ckan.tests.lib.search.test_index": None,
    "ckan.tests.lib.search.test_query": None,
    "ckan.tests.lib.search.test_search": None,
    "ckan.tests.logic.action.test_get": None,
    "ckan.tests.logic.action.test_create": None,
    "ckan.tests.controllers.test_package": "search",
}

#: ``module::Class::test`` (parameters left out: every parametrisation) -> why it is not run.
DESELECTED: dict[str, str] = {
    "ckan.tests.lib.search.test_search::test_check_invalid_schema": (
        "parses a Solr schema.xml without a version: the embedded backend has no Solr schema;"
        " its start-up check is that the index table exists (tests/search/test_backend_config.py)"
    ),
    "ckan.tests.lib.search.test_search::test_check_schema_with_wrong_version": (
        "parses a Solr schema.xml of an unsupported version: as above, Solr's schema file only"
    ),
}


#: Left out on CKAN 2.12 only: tests of uploads, not of search. CKAN 2.12 stores uploads
#: through its file storages (``ckan.files.storage.*``, file-keeper), which CKAN's own
#: test-core.ini configures and the platform's test ini does not ("Storage resources is not
#: configured", "Unsupported upload type: None"). They pass on CKAN 2.11, where they run.
UPLOAD_STORAGE_212 = (
    "uploads through CKAN 2.12's file storages (ckan.files.storage.*), configured by CKAN's"
    " own test-core.ini: not search; run on CKAN 2.11"
)
_UPLOAD_TESTS_212 = (
    "TestResourceCreate::test_upload_file_paths",
    *(
        f"TestUserImageUrl::test_upload_{name}"
        for name in (
            "all_types_allowed",
            "mimetype_has_higher_priority",
            "non_picture_fails_without_extra_config",
            "non_picture_html_fails_without_extra_config",
            "non_picture_with_png_extension",
            "picture",
            "picture_extension_enforced",
            "picture_works_without_extra_config",
            "svg_fails_without_extra_config",
            "svg_wrong_extension_fails_without_extra_config",
        )
    ),
)
DESELECTED_212: dict[str, str] = {
    f"ckan.tests.logic.action.test_create::{test}": UPLOAD_STORAGE_212 for test in _UPLOAD_TESTS_212
}
