"""No link to data reaches anyone who may not have the data (art. 14; issue 6, item 4)."""
