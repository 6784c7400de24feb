"""Login throttling (issue 14 item 8): ``throttle`` is the rule, ``service`` the login page's
side of it. See docs/audit.md, "Login throttling"."""
