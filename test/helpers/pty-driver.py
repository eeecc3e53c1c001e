#!/usr/bin/env python3
"""
Run one command inside a real pseudo-terminal and answer it like an operator at the keyboard.

Usage: python3 pty-driver.py SPEC_JSON

SPEC_JSON is an object:
  argv      list of strings: the command (argv[0] is looked up on PATH)
  cwd       working directory (optional)
  env       the whole environment of the command (optional; default: this process's)
  steps     list of {"expect": REGEX?, "send": TEXT?, "timeout": SECONDS?}
            each step waits until REGEX matches the ANSI-stripped output that came after the previous
            match, then writes TEXT to the terminal (Enter is "\\r", arrow down "\\x1b[B", Ctrl-C "\\x03")
  timeout   seconds for a step without its own timeout (default 10)
  exitTimeout  seconds to wait, after the last step, for the command to end (default 15)
  limit     seconds for the whole run, whatever the steps say (default 30)
  cols, rows   terminal size (default 120 x 40)

Prints one JSON object on stdout: {"exitCode", "signal", "transcript", "error", "failedStep"}.
exitCode is null when the command was killed by a signal (then signal names it). On a step that times out
or output that ends before a step matched, error says so, the command is killed, and the driver exits 2,
so a stuck prompt fails quickly instead of hanging. The transcript is the raw terminal output.
"""
import errno
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), other two-byte ESC sequences, and lone CRs from redraws.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def strip(text):
    return ANSI.sub("", text)


def main():
    spec = json.loads(sys.argv[1])
    argv = spec["argv"]
    env = spec.get("env") or dict(os.environ)
    steps = spec.get("steps", [])
    default_timeout = float(spec.get("timeout", 10))
    exit_timeout = float(spec.get("exitTimeout", 15))
    cols = int(spec.get("cols", 120))
    rows = int(spec.get("rows", 40))
    end_of_run = time.monotonic() + float(spec.get("limit", 30))

    pid, fd = pty.fork()
    if pid == 0:  # child: its stdin/stdout/stderr are the pty slave, in a new session with it as controlling tty
        try:
            if spec.get("cwd"):
                os.chdir(spec["cwd"])
            os.execvpe(argv[0], argv, env)
        except Exception as e:  # noqa: BLE001 - report anything and never return into the parent's code
            os.write(2, ("pty-driver: exec failed: %s\n" % e).encode())
        os._exit(127)

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    raw = bytearray()
    eof = False

    def pump(deadline):
        """Read what is available until the deadline; True when new output arrived."""
        nonlocal eof
        if eof:
            return False
        wait = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], min(wait, 0.05))
        if not ready:
            return False
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EIO:  # Linux: the slave side closed (the command ended)
                eof = True
                return False
            raise
        if not chunk:
            eof = True
            return False
        raw.extend(chunk)
        return True

    def text():
        return raw.decode("utf-8", errors="replace")

    error = None
    failed_step = None
    cursor = 0  # position in the stripped transcript after the previous match
    for i, step in enumerate(steps):
        pattern = step.get("expect")
        if pattern is not None:
            rx = re.compile(pattern)
            deadline = min(end_of_run, time.monotonic() + float(step.get("timeout", default_timeout)))
            while True:
                m = rx.search(strip(text()), cursor)
                if m:
                    cursor = m.end()
                    break
                if eof:
                    error = "output ended before step %d matched /%s/" % (i, pattern)
                    break
                if time.monotonic() >= deadline:
                    error = "timed out waiting for step %d: /%s/" % (i, pattern)
                    break
                pump(deadline)
            if error:
                failed_step = i
                break
        send = step.get("send")
        if send:
            time.sleep(float(step.get("delay", 0.05)))  # let the prompt finish drawing and listen for keys
            os.write(fd, send.encode("utf-8"))

    status = None
    if error is None:
        started = time.monotonic()
        deadline = min(end_of_run, time.monotonic() + exit_timeout)
        while True:
            pump(deadline)
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                # collect what is still buffered in the pty after the exit
                drain = time.monotonic() + 1.0
                while not eof and time.monotonic() < drain:
                    pump(drain)
                break
            if time.monotonic() >= deadline:
                error = "command did not exit within %.1f s after the last step" % (time.monotonic() - started)
                break

    if status is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    os.close(fd)

    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None
    json.dump({"exitCode": exit_code, "signal": sig, "transcript": text(), "error": error, "failedStep": failed_step}, sys.stdout)
    sys.stdout.write("\n")
    sys.exit(2 if error else 0)


if __name__ == "__main__":
    main()
