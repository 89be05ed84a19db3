"""The HTTP side: aiohttp handlers for the REST API, the pages and health checks."""
