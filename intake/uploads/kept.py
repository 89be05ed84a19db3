"""An upload's bytes are sealed with its submission's data key, wherever they are kept
(its parts in the bucket, its head and tail in the database): when they no longer seal
or open, the upload cannot go on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from intake.core.errors import UploadLost
from intake.keys.blocks import TamperedObject
from intake.keys.keyring import KeyDestroyed, SubmissionErased


@contextlib.contextmanager
def sealing_upload() -> Iterator[None]:
    """:class:`UploadLost` for an upload whose submission was erased (its data key
    destroyed) or whose stored bytes are not its own, whole."""
    try:
        yield
    except (KeyDestroyed, SubmissionErased):
        raise UploadLost(
            "This upload's submission was withdrawn or erased; start a new submission."
        ) from None
    except TamperedObject:
        raise UploadLost("This upload's bytes can no longer be read; start it again.") from None
