"""The harvesting side of federation: an upper platform harvesting a lower one (art. 8, 11).

``origin`` (plain Python) says where a harvested entry came from and where to apply for it;
``plugin`` holds the two harvesters of an upper platform, ``govshare_dcat_harvester``
(ckanext-dcat's RDF harvester) and ``govshare_ckan_harvester`` (ckanext-harvest's CKAN
harvester, mirroring deletions and entries turned private upstream). See docs/federation.md.
"""
