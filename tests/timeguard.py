"""A guard for tests of work that must stay linear: fail instead of hanging the test run."""

import contextlib
import signal


class TookTooLong(Exception):
    pass


@contextlib.contextmanager
def time_guard(seconds: int, what: str = "the work grows faster than the input"):
    """Fail (instead of hanging the test run) when the work inside has not finished in `seconds`."""

    def stop(_signum, _frame):
        raise TookTooLong(f"not finished after {seconds} s: {what}")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
