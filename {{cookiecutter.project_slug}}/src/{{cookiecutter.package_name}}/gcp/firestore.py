"""The Firestore client, created once per container (function instance).

google-cloud-firestore finds credentials and the project the way every Google client does
(the function's service account when deployed), and talks to the local emulator instead when
`FIRESTORE_EMULATOR_HOST` is set (https://cloud.google.com/firestore/docs/emulator).
Creating a client opens no connection; the first call does.
"""

from functools import cache
from typing import TYPE_CHECKING

from google.cloud import firestore

if TYPE_CHECKING:
    from google.cloud.firestore_v1 import Client


@cache
def firestore_client(project: str | None, database: str) -> "Client":
    """Return the container's client of one Firestore database.

    Args:
        project: The Google Cloud project id (`GOOGLE_CLOUD_PROJECT`), or None to let the
            library find it.
        database: The database id, e.g. `(default)` (`FIRESTORE_DATABASE`).
    """
    return firestore.Client(project=project, database=database)
