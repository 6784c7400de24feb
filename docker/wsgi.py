"""WSGI entry point of the CKAN container (uwsgi --wsgi-file /srv/app/wsgi.py).

Same as the wsgi.py of CKAN's own deployment docs and Docker images: the
configuration file is the one named by $CKAN_INI.
"""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_filepath = os.environ["CKAN_INI"]
fileConfig(config_filepath, disable_existing_loggers=False)
config = CKANConfigLoader(config_filepath).get_config()
application = make_app(config)
