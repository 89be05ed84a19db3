"""The API as a contract: an OpenAPI 3.1 document at ``GET /api/v1/openapi.json`` and the
same document as a plain page at ``GET /api/docs``.

The schemas come from the body models (``intake/web/*/models.py``); operations, headers,
parameters, the streaming multipart form and the problem types are written here. The
document is built from the settings of this deployment, so the limits it states (text
lengths, file counts, upload sizes, locales, accepted types, reasons) are the ones enforced.
Every problem type of :mod:`intake.core.errors` is listed under ``x-problem-types``; each
error response names the types it may carry.
"""
