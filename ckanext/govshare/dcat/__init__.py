"""DCAT export for upper-level platforms (issue 7): the ``govshare`` ckanext-dcat profile, the
share-type vocabulary, and which entries the DCAT endpoints export."""
