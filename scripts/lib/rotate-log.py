#!/usr/bin/env python3
"""Copies stdin to a log file, rotating it by size: <log> → <log>.1 → … → <log>.<keep>, oldest dropped.

Every daemon's output passes through this (scripts/lib/process.sh start_daemon), so a long-running
network cannot fill the disk. A file is rotated at a line boundary once it exceeds the limit, so no line
is split between two files (a single line longer than the limit is written whole).
Usage: rotate-log.py <log file> <max bytes> <files kept besides the current one>
"""
import os
import signal
import sys


def rotate(path: str, keep: int) -> None:
    if keep <= 0:
        os.unlink(path)
        return
    oldest = f"{path}.{keep}"
    if os.path.exists(oldest):
        os.unlink(oldest)
    for index in range(keep - 1, 0, -1):
        if os.path.exists(f"{path}.{index}"):
            os.rename(f"{path}.{index}", f"{path}.{index + 1}")
    os.rename(path, f"{path}.1")


def main() -> None:
    path, max_bytes, keep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # A stop signals the daemon's whole process group; the daemon's last lines still arrive after it,
    # so this ends at end of input only (or with the KILL that follows a daemon that does not stop).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = open(path, "ab", buffering=0)
    size = out.tell()
    pending = b""
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        data = pending + chunk
        cut = data.rfind(b"\n") + 1
        complete, pending = data[:cut], data[cut:]
        if len(pending) > max_bytes:  # one enormous line: write it as it is
            complete, pending = data, b""
        while complete:
            if size + len(complete) <= max_bytes:
                out.write(complete)
                size += len(complete)
                break
            # Fill the current file up to the last line boundary within the limit, then rotate.
            room = max_bytes - size
            head_end = complete.rfind(b"\n", 0, room) + 1
            if head_end == 0 and size == 0:  # one line longer than the limit: it goes whole
                head_end = complete.find(b"\n") + 1 or len(complete)
            out.write(complete[:head_end])
            complete = complete[head_end:]
            out.close()
            rotate(path, keep)
            out = open(path, "ab", buffering=0)
            size = 0
    if pending:
        out.write(pending)
    out.close()


if __name__ == "__main__":
    main()
