"""The small shared core every layer may use (issue 15, item 1): configuration, and the
concepts written once (roles and membership, messages, the clock, transactions, paging)."""
