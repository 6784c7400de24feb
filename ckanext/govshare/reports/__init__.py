"""The yearly sharing report and the compliance findings (art. 16–18, 24; issue 8).

- ``metrics.py``: plain-Python measures over plain rows (no CKAN, no database);
- ``findings.py``: the art. 24 findings with their evidence (plain Python too);
- ``data.py``: reads the rows of one year from the platform's tables;
- ``build.py``: a department's report and the platform-wide one, as JSON-ready dicts;
- ``charts.py``, ``export.py``: the charts (reportlab drawings, also rendered to SVG for the
  pages) and the ``.xlsx`` / ``.pdf`` files;
- ``cli.py``: ``ckan govshare report --year Y --out DIR``;
- ``reminders.py``: the ``report_due`` step of ``ckan govshare remind`` (January–February).
"""

from __future__ import annotations
