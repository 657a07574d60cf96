"""The child reader: `python -I -B -m canlian.spreadsheets.isolated PATH KIND …` (see
`protocol.Request`). It lowers its own limits before it reads a byte of the file, sends the
rows and the outcome as frames on its standard output, and writes errors to standard error.
"""

from __future__ import annotations

import math
import os
import resource
import signal
import sys
import time
import traceback
from typing import IO

from python_calamine import PasswordError

from canlian.spreadsheets.isolated import protocol, sheet
from canlian.spreadsheets.isolated.protocol import Request


def main() -> None:
    request = Request.from_argv(sys.argv[1:])
    _limit(request)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to standard error: the output carries frames only
    protocol.write_frame(out, _outcome(request, out))
    out.close()


def _limit(request: Request) -> None:
    """Memory (address space), processor time, no core file and no file written."""
    _lower(resource.RLIMIT_AS, request.max_memory)
    seconds = math.ceil(request.max_seconds)
    _lower(resource.RLIMIT_CPU, seconds, seconds + 1)  # SIGXCPU, then SIGKILL a second later
    _lower(resource.RLIMIT_CORE, 0)
    _lower(resource.RLIMIT_FSIZE, 0)


def _lower(kind: int, soft: int, hard: int | None = None) -> None:
    _soft, current = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(kind, (soft, hard))


def _outcome(request: Request, out: IO[bytes]) -> tuple[object, ...]:
    try:
        _test_hook(request)
        return sheet.read(request, out)
    except sheet.Refused as refused:
        return refused.outcome
    except PasswordError:
        return (protocol.PASSWORD,)
    except MemoryError:
        return (protocol.MEMORY,)
    except Exception:
        traceback.print_exc()
        return (protocol.DAMAGED,)
    except BaseException as error:  # pyo3 reports a Rust panic as a BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        traceback.print_exc()
        return (protocol.DAMAGED,)


def _test_hook(request: Request) -> None:
    """Misbehave on purpose, in tests only, to prove that the limits hold. Each way but the
    crash is bounded, so that without the limits the file is read after all and the test
    fails."""
    hook = os.environ.get(protocol.TEST_HOOK, "")
    if hook == "allocate":
        _blocks = [bytes(64 * 1024 * 1024) for _ in range(64)]  # 4 GB of address space
    elif hook == "sleep":
        time.sleep(3 * request.max_seconds + 5)
    elif hook == "spin":
        end = time.process_time() + 3 * request.max_seconds + 5
        while time.process_time() < end:
            pass
    elif hook == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)


if __name__ == "__main__":
    main()
