from ckanext.govshare.tests.feedback.conftest import World, clock, world  # noqa: F401
