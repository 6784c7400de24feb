"""Mail in development (issue 19, item 10): a local SMTP sink that keeps every message as an
``.eml`` file under ``var/mail/`` (``sink``), the messages read back for the sysadmins' page
(``store``), and one log line, not a traceback, when mail cannot be sent (``quiet``).

Production sends through the site's relay (``smtp.server``, README "Email"); nothing here runs
there but ``quiet``.
"""
