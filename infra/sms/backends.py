"""The development backends: the console (printed), a folder of files, and memory (tests)."""

import sys
import threading
from datetime import datetime
from pathlib import Path

from django.conf import settings

from infra import sms


class ConsoleBackend:
    """Prints each message, as Django's console mail backend (`make run`)."""

    stream = sys.stdout
    _lock = threading.Lock()

    def send(self, message: "sms.SmsMessage") -> None:
        with self._lock:
            self.stream.write(f"SMS to {message.to} ({message.kind}, {len(message.text)} chars):\n{message.text}\n")
            self.stream.write("-" * 79 + "\n")
            self.stream.flush()


class FileBackend:
    """Appends each message to a file per day in SMS_FILE_PATH, for a tester without a console."""

    def send(self, message: "sms.SmsMessage") -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now()
        with (folder / f"{now:%Y-%m-%d}.log").open("a", encoding="utf-8") as out:
            out.write(f"{now:%H:%M:%S} to {message.to} ({message.kind}): {message.text}\n")


class LocmemBackend:
    """Keeps each message in `infra.sms.outbox` (tests)."""

    def send(self, message: "sms.SmsMessage") -> None:
        sms.outbox.append(message)
