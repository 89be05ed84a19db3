"""The composition root: what each command needs, built from the settings, in one place.

    storage.open_object_store    the bucket (the embedded SeaweedFS when no endpoint is set)
    database.open_database       the migrated database and its repositories
    services.build_services      the domain services over them
    inspection.open_worker       job workers and their decoder processes
    loops.run_loops              the background loops a command runs (``LOOPS``)
    janitor.Janitor              one janitor round

Nothing here speaks HTTP: ``intake.web.app`` puts these into an aiohttp application,
``intake.cli`` runs them as commands.
"""
