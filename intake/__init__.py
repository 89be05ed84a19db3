"""intake: readers' photos and videos, checked and stored, queued for moderators.

1. A file arrives by HTTP (multipart form or, later, tus) and streams through
   sniff (libmagic on the first bytes), size limits and sha256 into S3 multipart parts.
2. Its submission's ``manifest.json`` is stored beside the originals in the bucket.
3. Only then is the submission's row committed to the database and the reader answered.
4. Inspection, moderation and webhooks follow as jobs (later issues).
5. Layers: ``web`` -> services -> ``media`` / ports -> ``adapters``.
"""
