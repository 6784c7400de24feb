"""``ckan govshare remind``: what the platform does on its own, from cron (issue 5, item 3).

- ``scheduler.py``: one pass — each domain's reminder steps in order (``access``,
  ``feedback``, ``obligations``, ``reports``, each in its ``reminders.py``), each item in its
  own transaction, the counts the command prints, then the retry of failed emails; a
  PostgreSQL advisory lock lets one pass run at a time;
- ``cli.py``: the ``remind`` command (``--today``, ``--dry-run``).

Above the domains and ``notices``: they never import this package.
"""
