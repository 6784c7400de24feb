"""Downloads (issue 6, art. 14): tokens, counting, serving a resource's bytes, bulk ZIPs."""
