"""Doubt and error feedback on catalogue entries (art. 15, issue 8).

``rules.py`` holds the rules (plain Python), ``service.py`` writes a feedback row with its audit
event and notices in the caller's transaction, ``model.py`` is the table, ``reminders.py`` the
steps of ``ckan govshare remind`` (due-date reminders, the overdue flag).
"""
