"""The load benchmark (issue 13): ``python -m tracker bench``.

``dataset`` loads or reuses a province-sized demo city; ``processes`` starts the service and a bare
endpoint (``bare``) under gunicorn with the same settings, and the load generator (``load``); ``run``
drives them in turns through the ``operations`` and prints the table.
"""
