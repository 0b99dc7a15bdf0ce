"""The batch service: an HTTP API (FastAPI) over jobs run stage by stage on Celery workers.

Modules: ``settings`` (what the API and workers share), ``db`` (jobs and
tokens), ``security`` (tokens, scopes, path confinement, upload checks),
``jobs`` (job state transitions), ``tasks`` (the Celery app and stage task),
``runtime`` (the operations the API and CLI call), ``api`` (the routes),
``server`` (the ``serve`` and ``worker`` processes), ``batch`` (a season CSV),
``prefetch`` (bundled models, at image build time), ``cluster`` (redis, API and
workers as local processes, for tests and benchmarks).
"""
