"""Erasure by key: every object of a submission is sealed with a data key of its own.

    master keys   from the environment (``keys.master_key``), wrap the data keys
    data keys     one per submission, kept wrapped in the database (``data_keys``)
    blocks        the sealed format: AES-256-GCM over 64 KiB blocks, seekable
    sealing       an ObjectStore that seals what it stores and opens what it reads
    publishing    an approved file's public copy, unsealed, under a key that says nothing

Destroying a submission's data key makes every copy of its objects, wherever it lies,
unreadable: erasure destroys it first (:mod:`intake.submissions.erasure`).
"""
