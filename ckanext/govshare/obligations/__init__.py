"""Catalogue-maintenance obligations (art. 8, issue 8): a department updates its catalogue
within 15 working days of a law's revision or a change of its functions.

``rules.py`` holds the rules (plain Python), ``service.py`` writes the rows with their audit
events and notices in the caller's transaction, ``model.py`` is the table, ``reminders.py`` the
steps of ``ckan govshare remind`` (due-date reminders, the overdue flag).
"""
