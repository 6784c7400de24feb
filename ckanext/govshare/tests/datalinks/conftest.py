from ckanext.govshare.tests.access.conftest import frozen, world  # noqa: F401
