# Copyright 2026 The hf_ulmfit Authors. All rights reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""One writer per output folder: a stage holds `OUTPUT_DIR/.hf_ulmfit.lock` for its whole run.

The lock is an advisory `flock` on that file, which the kernel drops when the holder dies however it dies
(SIGKILL included); the file names the holder (pid, host, start time) for the message a second run gets. A lock
file nobody holds was left by a run that died: it is reported (a warning naming that run) and taken over."""

import errno
import fcntl
import functools
import json
import logging
import os
import socket
import time
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_FILE = ".hf_ulmfit.lock"


class FolderInUseError(ValueError):
    """Another live run holds the output folder's lock."""


class OutputLock:
    """`with OutputLock(folder):` holds `folder/.hf_ulmfit.lock` (making `folder` if needed) or raises
    `FolderInUseError` naming the run that holds it. A folder the lock made is removed again if the run leaves it
    empty (a run refused for bad input leaves nothing behind)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self._fd: int | None = None
        self._made_folder = False

    def __enter__(self) -> "OutputLock":
        self._made_folder = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._acquire()
        except OSError as err:
            self._remove_made_folder()
            raise ValueError(f"{self.folder} is not writable ({err.strerror or err}): the model could not be saved "
                             "there; choose another --output_dir.") from None
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _acquire(self) -> None:
        while True:  # until the file we lock is the one at the path (another run may unlink it as we open it)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                holder = read_holder(fd)
                os.close(fd)
                if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise FolderInUseError(
                        f"{self.folder} is in use by another run ({describe(holder)}, lock file {self.path}): wait "
                        "for it to end or choose another --output_dir."
                    ) from None
                raise
            if os.path.exists(self.path) and os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                break
            os.close(fd)
        previous = read_holder(fd)
        if previous:
            logger.warning(f"{self.path} was left by a run that no longer holds it ({describe(previous)}; it died "
                           "or was killed): taking the folder over.")
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still holding it: a run waiting on this file retries on the new one
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None
        self._remove_made_folder()

    def _remove_made_folder(self) -> None:
        if self._made_folder:
            try:
                self.folder.rmdir()
            except OSError:
                pass  # not empty: it holds what the run wrote


def read_holder(fd: int) -> dict:
    """The pid / host / start time a lock file names ({} for an empty or unreadable one)."""
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}


def describe(holder: dict) -> str:
    if not holder:
        return "a run that did not say which"
    return f"pid {holder.get('pid')} on host {holder.get('host')}, started {holder.get('started')}"


def holds_output_lock(stage):
    """Decorates a stage function `stage(model_args, data_args, training_args)`: the run holds its output folder's
    lock from start to end. Under torchrun only the first process takes it (the others write into the same run)."""

    @functools.wraps(stage)
    def run(model_args, data_args, training_args):
        if os.environ.get("RANK", "0") != "0":
            return stage(model_args, data_args, training_args)
        with OutputLock(training_args.output_dir):
            return stage(model_args, data_args, training_args)

    return run


__all__ = ["LOCK_FILE", "FolderInUseError", "OutputLock", "holds_output_lock"]
