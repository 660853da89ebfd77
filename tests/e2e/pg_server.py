"""A throwaway PostgreSQL for the postgres source's tests: initdb into a
directory the test owns, logical decoding on, listening on 127.0.0.1 at a
free port with its socket in that directory. TCP logins need a password
(scram-sha-256), so tests exercise password_env / password_file.

Debian's postgresql-15 provides the binaries (scripts/deps.sh installs it).
As root, the server runs as the `postgres` user (initdb refuses root).

    pg = PgServer(tmpdir)          # started
    pg.sql("CREATE TABLE t (id int PRIMARY KEY)")
    rows = pg.rows("SELECT * FROM t ORDER BY id")   # lists of strings / None
    pg.stop()
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time

USER = "sluice"
PASSWORD = "sluice-test-pw"


def bindir():
    """Directory of the newest installed PostgreSQL server binaries, or None.
    Also used by bench/ (benchkit/pg.py)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def missing_reason():
    """Why no PostgreSQL can run here (a skip reason), or None. Also used by
    bench/ (benchkit/pg.py)."""
    if bindir() is None:
        return "PostgreSQL server binaries not installed (scripts/deps.sh installs postgresql-15)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server"
        if not shutil.which("runuser"):
            return "running as root and `runuser` is missing"
    return None


def as_server_user(directory):
    """The prefix of a command that runs PostgreSQL's programs: as root,
    `runuser -u postgres --` (initdb refuses root), after giving `directory`
    (the server's, created by the caller) to that user; otherwise nothing.
    Also used by bench/ (benchkit/pg.py)."""
    if os.geteuid() != 0:
        return []
    ent = pwd.getpwnam("postgres")
    os.chown(directory, ent.pw_uid, ent.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, root, settings=""):
        self.bin = bindir()
        self.dir = os.path.join(root, "pg")
        os.makedirs(self.dir)
        self.as_user = as_server_user(self.dir)
        if self.as_user:
            os.chmod(root, os.stat(root).st_mode | 0o011)  # the server's user passes through
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        pwfile = os.path.join(self.dir, "initdb-pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o644)
        self._run(self.as_user + [self._b("initdb"), "-D", self.data, "-U", USER,
                                  "--auth-local=trust", "--auth-host=scram-sha-256",
                                  "--pwfile=" + pwfile, "--no-sync", "-E", "UTF8",
                                  "--locale=C.UTF-8"], 120)
        os.remove(pwfile)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.dir}'\nwal_level = logical\n"
                    "max_replication_slots = 32\nmax_wal_senders = 32\nfsync = off\n"
                    "max_connections = 100\n" + settings)
        self.start()

    def _b(self, name):
        return os.path.join(self.bin, name)

    def _run(self, cmd, timeout, **kw):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
        if p.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout,
                                                             p.stderr))
        return p

    def start(self):
        self._run(self.as_user + [self._b("pg_ctl"), "-D", self.data, "-l",
                                  os.path.join(self.dir, "server.log"), "-w", "-t", "60",
                                  "start"], 90)

    def stop(self, mode="fast"):
        subprocess.run(self.as_user + [self._b("pg_ctl"), "-D", self.data, "-m", mode, "-w",
                                       "-t", "60", "stop"], capture_output=True, timeout=90)

    def restart(self, mode="immediate"):
        self.stop(mode)
        self.start()

    def log(self):
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            return f.read()

    def dsn(self, dbname="postgres"):
        """The connection string sluice gets (the password comes separately)."""
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={USER}"

    def env(self):
        env = dict(os.environ)
        env["PGPASSWORD"] = PASSWORD
        return env

    def _psql(self):
        return [self._b("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d",
                "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1"]

    def sql(self, statements, timeout=120):
        """Runs SQL (several statements: each its own transaction unless BEGIN
        ... COMMIT); returns psql's unaligned, tuples-only output."""
        return self._run(self._psql() + ["-A", "-t", "-f", "-"], timeout, input=statements,
                         env=self.env()).stdout

    def rows(self, query, timeout=120):
        """The rows of `query` as lists of strings (None for null), read from
        COPY's text format (so that every value is PostgreSQL's text form)."""
        out = self._run(self._psql() + ["-c", f"COPY ({query}) TO STDOUT"], timeout,
                        env=self.env()).stdout
        return [[None if f == "\\N" else _unescape(f) for f in line.split("\t")]
                for line in out.split("\n") if line != ""]

    def slots(self):
        """{slot name: active} of every replication slot."""
        out = self.sql("SELECT slot_name, active FROM pg_replication_slots")
        return {l.split("|")[0]: l.split("|")[1] == "t" for l in out.splitlines() if l}

    def pgbench(self, script, clients, transactions=None, seconds=None, rate=None, timeout=600):
        """Runs a custom pgbench script; returns the process (waited for
        unless it runs for `seconds` in the background: then the caller
        waits). Failed transactions fail the run."""
        path = os.path.join(self.dir, "bench-%d.sql" % time.monotonic_ns())
        with open(path, "w") as f:
            f.write(script)
        cmd = [self._b("pgbench"), "-n", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER,
               "-c", str(clients), "-j", str(clients), "-f", path]
        cmd += ["-t", str(transactions)] if transactions else ["-T", str(seconds)]
        if rate:
            cmd += ["-R", str(rate)]
        cmd.append("postgres")
        if transactions:
            return self._run(cmd, timeout, env=self.env())
        return subprocess.Popen(cmd, env=self.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unescape(field):
    """Undoes COPY text format's backslash escapes."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            out.append(_ESCAPES.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)
