"""Actions, auth functions, schemas and validators (CKAN's logic layer) of ckanext-govshare.

Rules themselves live in plain modules that know nothing of Flask (see the package's
``rules/``-style modules per concept); these functions stay thin and call them.
"""
