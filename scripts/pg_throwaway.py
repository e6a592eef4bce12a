#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

Usage:
    python scripts/pg_throwaway.py -- <command> [args...]

Creates a temporary PostgreSQL cluster (initdb + pg_ctl) listening on a free
port on 127.0.0.1, creates the database ``wuye`` owned by the superuser role
``wuye``, runs the command with
``DATABASE_URL=postgres://wuye@127.0.0.1:<port>/wuye`` and finally stops the
server and deletes the cluster folder.  Exits with the command's exit code
(2 if the cluster could not be set up).

If ``DATABASE_URL`` is already set to a PostgreSQL URL, the command is simply
run as is.

Standard library only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

PROG = "pg_throwaway"
DB_USER = "wuye"
DB_NAME = "wuye"
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
NOT_FOUND_MSG = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found; install them, e.g. `apt-get install postgresql`"
)


class SetupError(Exception):
    """The throwaway cluster could not be set up (exit code 2)."""


class Terminated(BaseException):
    """Raised from the SIGTERM/SIGHUP handler so `finally` blocks run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def log(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Locating the binaries
# --------------------------------------------------------------------------


def _version_key(path: str) -> tuple:
    # /usr/lib/postgresql/<version>/bin -> numeric sort on <version>
    version = os.path.basename(os.path.dirname(path))
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.]", version))


def _bindir_has_server(bindir: str) -> bool:
    return all(os.access(os.path.join(bindir, name), os.X_OK) for name in ("initdb", "pg_ctl"))


def find_bindir() -> str | None:
    """Directory holding initdb and pg_ctl (symlinks resolved), or None."""
    candidates: list[str] = []

    initdb = shutil.which("initdb")
    pg_ctl = shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # /usr/local/bin/initdb may be a symlink into the real bindir, where
        # createdb and postgres live too.
        candidates.append(os.path.dirname(os.path.realpath(initdb)))
        candidates.append(os.path.dirname(initdb))

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                check=True,
                stdin=subprocess.DEVNULL,
            ).stdout.strip()
            if out:
                candidates.append(out)
        except (OSError, subprocess.CalledProcessError):
            pass

    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True))

    for bindir in candidates:
        if _bindir_has_server(bindir):
            return bindir
    return None


def find_tool(bindir: str, name: str) -> str | None:
    path = os.path.join(bindir, name)
    if os.access(path, os.X_OK):
        return path
    return shutil.which(name)


def server_version(bindir: str) -> str:
    for name in ("postgres", "pg_ctl", "initdb"):
        path = find_tool(bindir, name)
        if not path:
            continue
        try:
            out = subprocess.run(
                [path, "--version"],
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            ).stdout
        except OSError:
            continue
        m = re.search(r"\(PostgreSQL\)\s+(\S+)", out)
        if m:
            return m.group(1)
    return "(unknown version)"


# --------------------------------------------------------------------------
# Running server tools, possibly as an unprivileged user
# --------------------------------------------------------------------------


def pick_run_user() -> str | None:
    """The user to run initdb/pg_ctl as (None = current user)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise SetupError(
        "running as root, but neither a `postgres` nor a `nobody` user exists to run the PostgreSQL server as"
    )


def as_user(cmd: list[str], user: str | None) -> list[str]:
    if user is None:
        return cmd
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)),
        None,
    )
    if runuser:
        return [runuser, "-u", user, "--", *cmd]
    su = shutil.which("su") or "/bin/su"
    return [su, user, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def run_tool(cmd: list[str], user: str | None, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        as_user(cmd, user),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_log(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as exc:
        return f"(could not read server log {path}: {exc})"


# --------------------------------------------------------------------------
# Cluster lifecycle
# --------------------------------------------------------------------------


class Cluster:
    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.initdb = os.path.join(bindir, "initdb")
        self.pg_ctl = os.path.join(bindir, "pg_ctl")
        self.user = pick_run_user()
        self.dir: str | None = None
        self.started = False
        self.port: int | None = None

    @property
    def datadir(self) -> str:
        assert self.dir
        return os.path.join(self.dir, "data")

    @property
    def logfile(self) -> str:
        assert self.dir
        return os.path.join(self.dir, "log")

    def setup(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="wuye-pg-")
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dir, 0o700)
            # The socket dir is self.dir itself: it must be reachable and
            # writable by the server user.
            check = run_tool(["test", "-w", self.dir, "-a", "-x", self.dir], self.user, "/")
            if check.returncode != 0:
                raise SetupError(
                    f"{self.dir} is not writable by user {self.user!r} "
                    "(is a parent of TMPDIR private to root? try TMPDIR=/tmp)"
                )

        self._initdb()
        self._start()
        self._createdb()

    def _initdb(self) -> None:
        last = None
        for locale in ("C.UTF-8", "C"):
            if os.path.exists(self.datadir):
                shutil.rmtree(self.datadir, ignore_errors=True)
            cmd = [
                self.initdb,
                "-D",
                self.datadir,
                "-U",
                DB_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                f"--locale={locale}",
                "--no-sync",
            ]
            last = run_tool(cmd, self.user, self.dir)
            if last.returncode == 0:
                return
        assert last is not None
        raise SetupError(f"initdb failed:\n{last.stdout}")

    def _start(self) -> None:
        assert self.dir
        self.port = free_port()
        opts = f"-h 127.0.0.1 -p {self.port} -k {shlex.quote(self.dir)} {SERVER_OPTIONS}"
        cmd = [
            self.pg_ctl,
            "-D",
            self.datadir,
            "-l",
            self.logfile,
            "-w",
            "-t",
            "120",
            "-o",
            opts,
            "start",
        ]
        # Mark as (possibly) started before running pg_ctl so that cleanup
        # always attempts a stop, even if we are interrupted mid-start.
        self.started = True
        res = run_tool(cmd, self.user, self.dir)
        if res.returncode != 0:
            raise SetupError(
                f"pg_ctl start failed:\n{res.stdout}\n"
                f"--- server log ({self.logfile}) ---\n{read_log(self.logfile)}"
            )

    def _createdb(self) -> None:
        createdb = find_tool(self.bindir, "createdb")
        if not createdb:
            raise SetupError("createdb not found next to initdb nor on PATH")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        res = subprocess.run(
            [createdb, "-w", "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, DB_NAME],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        if res.returncode != 0:
            raise SetupError(f"createdb failed:\n{res.stdout}")

    @property
    def url(self) -> str:
        return f"postgres://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def teardown(self) -> None:
        if self.dir is None:
            return
        try:
            if self.started and os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
                res = run_tool(
                    [self.pg_ctl, "-D", self.datadir, "-m", "fast", "-w", "-t", "60", "stop"],
                    self.user,
                    self.dir,
                )
                if res.returncode != 0:
                    log(f"warning: pg_ctl stop failed:\n{res.stdout}")
                    self._kill_postmaster()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            if os.path.exists(self.dir):
                log(f"warning: could not remove {self.dir}")
            self.dir = None

    def _kill_postmaster(self) -> None:
        """Last resort if pg_ctl stop failed: SIGQUIT the postmaster."""
        try:
            with open(os.path.join(self.datadir, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError):
            pass


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def exit_code(returncode: int) -> int:
    # A child killed by a signal has a negative return code in subprocess.
    return 128 - returncode if returncode < 0 else returncode


def parse_args(argv: list[str]) -> list[str]:
    if argv and argv[0] == "--":
        argv = argv[1:]
    elif argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0)
    if not argv:
        print(f"usage: {PROG}.py -- <command> [args...]", file=sys.stderr)
        sys.exit(2)
    return argv


def exec_command(cmd: list[str]) -> int:
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        log(f"cannot run {cmd[0]!r}: {exc}")
        return 127
    return 127  # not reached


def run_command(cmd: list[str], env: dict[str, str]) -> int:
    try:
        proc = subprocess.Popen(cmd, env=env)
    except OSError as exc:
        log(f"cannot run {cmd[0]!r}: {exc}")
        return 127
    try:
        return exit_code(proc.wait())
    except (KeyboardInterrupt, Terminated) as exc:
        # On Ctrl-C the child got SIGINT from the terminal as well; on
        # SIGTERM/SIGHUP forward it.  Give it a moment, then kill it.
        if isinstance(exc, Terminated):
            with contextlib.suppress(OSError):
                proc.send_signal(exc.signum)
        try:
            proc.wait(timeout=15)
        except (subprocess.TimeoutExpired, KeyboardInterrupt, Terminated):
            proc.kill()
            proc.wait()
        raise


def main(argv: list[str]) -> int:
    cmd = parse_args(argv)

    existing = os.environ.get("DATABASE_URL", "")
    if existing.startswith("postgres"):
        return exec_command(cmd)

    bindir = find_bindir()
    if bindir is None:
        print(NOT_FOUND_MSG, file=sys.stderr)
        return 2

    def on_signal(signum, _frame):
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    cluster: Cluster | None = None
    try:
        try:
            cluster = Cluster(bindir)
            cluster.setup()
        except SetupError as exc:
            log(str(exc))
            return 2
        log(f"PostgreSQL {server_version(bindir)} on 127.0.0.1:{cluster.port} ({cluster.dir})")
        env = dict(os.environ, DATABASE_URL=cluster.url)
        return run_command(cmd, env)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Terminated as exc:
        log(f"terminated by signal {exc.signum}")
        return 128 + exc.signum
    finally:
        # Don't let a second Ctrl-C / SIGTERM abort the cleanup.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        if cluster is not None:
            cluster.teardown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
