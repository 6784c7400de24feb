"""ckanext-govshare: government data sharing on CKAN (see README.md)."""
from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-govshare",
    version="0.1.0",
    description="Government information resource sharing for CKAN: share types, "
    "requests in working days, purpose-bound downloads, audit, DCAT federation",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    classifiers=[
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Framework :: CKAN",
    ],
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.*"], exclude=["ckanext.*.tests*"]),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        "luqum>=1.0,<2",
        "snowballstemmer>=2.2,<4",
        "openpyxl>=3.1,<4",
        "chinesecalendar>=1.11,<2",
        "lunardate>=0.2,<1",
        "zipstream-ng>=1.7,<2",
        "reportlab>=4,<5",
        # login throttling's moving windows (issue 14 item 8); the redis client comes with CKAN
        "limits>=5,<6",
        # Fernet: exchange targets' connection strings encrypted at rest (issue 17).
        "cryptography>=42,<47",
        # Chinese names of uploaded files in pinyin before CKAN munges them (issue 20, item 1).
        "pypinyin>=0.50,<1",
        # Facet counts of a search's matches by bitmap intersections (issue 20, item 5).
        "pyroaring>=1,<2",
    ],
    entry_points={
        "ckan.plugins": [
            "govshare = ckanext.govshare.plugin:GovsharePlugin",
            "govshare_search = ckanext.govshare.search.plugin:GovshareSearchPlugin",
            "govshare_dcat_harvester = ckanext.govshare.harvest.plugin:GovshareDCATRDFHarvester",
            "govshare_ckan_harvester = ckanext.govshare.harvest.plugin:GovshareCKANHarvester",
        ],
        "ckan.rdf.profiles": [
            "govshare = ckanext.govshare.dcat.profile:GovshareProfile",
            # Entries named, nothing else: an upper platform's walk for deletions (issue 20).
            "govshare_list = ckanext.govshare.dcat.listing:GovshareListProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
