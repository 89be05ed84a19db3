"""intake: readers' photos and videos, checked and stored, queued for moderators.

1. A file arrives by HTTP (multipart form or tus) and takes one sequence, whatever the
   door (``uploads.pipeline``): libmagic on its first bytes, size limits, SHA-256, S3 parts.
2. The submission's row is committed with its inspection job; only then is the reader answered.
3. A worker inspects every file in a decoder process (``inspection``, ``media``).
4. Moderators claim, look and decide (``moderation``); events go out by webhook.
5. Layers: ``web``/``cli`` -> ``wiring`` -> domain packages -> ``media`` / ports -> ``adapters``.
"""
