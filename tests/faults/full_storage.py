"""Settings for a fault test that cannot mount a small tmpfs (not root): the portal's own settings, with
a media storage that behaves as a full disk while the file FULL_DISK_FLAG exists: the file is created and
its first write fails with ENOSPC, as the kernel does."""

import errno
import os

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES


class _RefusedWrite(File):
    def chunks(self, chunk_size=None):
        raise OSError(errno.ENOSPC, "No space left on device")


class FlaggedFullStorage(FileSystemStorage):
    def save(self, name, content, max_length=None):
        if os.path.exists(os.environ["FULL_DISK_FLAG"]):
            content = _RefusedWrite(content, name=name)
        return super().save(name, content, max_length)


STORAGES = {**STORAGES, "default": {"BACKEND": "tests.faults.full_storage.FlaggedFullStorage"}}
