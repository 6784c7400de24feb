from ckanext.govshare.migration.alembic_env import run

run(__file__)
