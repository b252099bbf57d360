"""The projects published as an OC4IDS 0.9.5 project package (Open Contracting for Infrastructure Data Standard).

``mapping`` holds the tables from the registry's words to OC4IDS codelists and turns one project
into an OC4IDS project; ``package`` reads the projects and wraps them in the package. The API
(GET /api/v1/oc4ids) and the command line (export-oc4ids) both write what ``package`` builds.
The fields OC4IDS lacks (包抓领导, 包抓部门) and the codes its open codelists lack are declared
by the local extension published in static/oc4ids/.
"""
