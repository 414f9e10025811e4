"""ODK Collect submissions against a real server: throughput, latency, and proof that nothing was lost.

    .venv/bin/python bench/openrosa_submissions.py [--submissions 2000] [--clients 8] [--workers 4]
        [--worker-class sync|gthread] [--threads 4] [--database-url postgres://postgres@127.0.0.1:5432/NAME]
        [--profile 200] [--keep]

Creates a fresh PostgreSQL database (dropped at the end unless --keep), migrates it, loads ``parcours demo
--households 0`` (zones, the demo programme, the default questionnaire, the ``collect-demo`` phone), starts
gunicorn on a free localhost port (production settings: DEBUG off, persistent connections), and lets C client
threads, each with its own HTTP session, do what Collect does: form list, form and zones.csv download once,
then HEAD (Digest challenge) and one multipart POST per finalised form, the Digest nonce reused with a growing
nonce count. Then it checks the database: every instanceID sent stored exactly once, projected, households and
persons as sent; and times ``submission_receive`` in-process to show where the server's time goes.

Prints JSON lines ({"bench", "metric", "value", "unit"}) and a summary with ratio = submissions_per_second / 100
(the goal). Exits 1 only when a submission was lost or the server answered 5xx; speed never fails it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
BENCH = "openrosa_submissions"
GOAL = 100.0  # submissions per second on the 2-core reference machine
DEVICE = ("collect-demo", "collect-demo-2026")  # parcours.demo.data.DEVICE_LOGIN
HEADERS = {"X-OpenRosa-Version": "1.0", "Accept-Language": "fr"}


def emit(metric: str, value, unit: str = "", **extra) -> None:
    print(json.dumps({"bench": BENCH, "metric": metric, "value": value, "unit": unit, **extra},
                     ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def psql(sql: str, dsn: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def admin_dsn(url: str) -> tuple[str, str]:
    """The maintenance database's DSN on the same server, and the bench database's name."""
    parts = urlsplit(url)
    return parts._replace(path="/postgres").geturl(), parts.path.lstrip("/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def parcours(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "-m", "parcours.cli", *args], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def start_server(args, env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", "parcours.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--timeout", "120",
               "--log-level", "error", "--error-logfile", str(log)]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    # Its output goes to the log: 401 challenges are logged as warnings, one per phone.
    output = log.open("ab")
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True, stdout=output, stderr=output)


class CpuMeter(threading.Thread):
    """CPU seconds used by gunicorn's workers and by the PostgreSQL backends of the bench database, from /proc.

    Sampled twice a second so a backend that ends during the run (a connection closed) still counts.
    """

    def __init__(self, server_pid: int, database: str):
        super().__init__(daemon=True)
        self.server_pid, self.database = server_pid, database
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.running = threading.Event()
        self.running.set()
        self.sampled = False

    @staticmethod
    def _stat(pid: int) -> tuple[int, float] | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            stat = self._stat(pid)
            if stat is None:
                continue
            parent, cpu = stat
            if parent == self.server_pid or pid == self.server_pid:
                kind = "server"
            else:
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if not (title.startswith("postgres: ") and f" {self.database} " in title):
                    continue
                kind = "database"
            # Processes there at the first sample count from then; those born later, from zero.
            self.first.setdefault(pid, 0.0 if self.sampled else cpu)
            self.last[pid] = (kind, cpu)
        self.sampled = True

    def run(self) -> None:
        while self.running.is_set():
            self.sample()
            time.sleep(0.5)

    def stop(self) -> dict[str, float]:
        self.running.clear()
        self.join()
        self.sample()
        used = Counter()
        for pid, (kind, cpu) in self.last.items():
            used[kind] += cpu - self.first.get(pid, 0.0)
        return dict(used)


def wait_for(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode} before answering")
        try:
            if requests.head(url, timeout=15).status_code == 401:  # up, and asking for the Digest login
                return
        except requests.RequestException:  # not listening yet, or still loading the application
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer from {url} after {seconds:.0f} s")


def collect_setup(base: str) -> tuple[str, str, list[str]]:
    """What Collect does once: the form list, the form, its manifest and zones.csv (the zone codes to choose)."""
    import requests
    from lxml import etree
    from requests.auth import HTTPDigestAuth

    ns = {"x": "http://openrosa.org/xforms/xformsList", "m": "http://openrosa.org/xforms/xformsManifest"}
    with requests.Session() as http:
        http.auth, http.headers = HTTPDigestAuth(*DEVICE), dict(HEADERS)
        listing = http.get(f"{base}/formList", timeout=30)
        listing.raise_for_status()
        form = etree.fromstring(listing.content).find("x:xform", ns)
        form_id, version = form.findtext("x:formID", namespaces=ns), form.findtext("x:version", namespaces=ns)
        http.get(form.findtext("x:downloadUrl", namespaces=ns), timeout=30).raise_for_status()
        manifest = etree.fromstring(http.get(form.findtext("x:manifestUrl", namespaces=ns), timeout=30).content)
        media = http.get(manifest.findtext("m:mediaFile/m:downloadUrl", namespaces=ns), timeout=30)
        media.raise_for_status()
    zones = [row["name"] for row in csv.DictReader(io.StringIO(media.content.decode("utf-8-sig")))]
    return form_id, version, zones


def client(base: str, work: queue.Queue, results: list, stop: threading.Event) -> None:
    """One phone: its own session and Digest state (HTTPDigestAuth reuses the nonce and counts nc up)."""
    import requests
    from requests.auth import HTTPDigestAuth

    with requests.Session() as http:
        http.auth, http.headers = HTTPDigestAuth(*DEVICE), dict(HEADERS)
        try:
            http.head(f"{base}/submission", timeout=60)  # Collect's first question: 401, then 204
        except requests.RequestException as exc:
            results.append((None, f"HEAD {exc.__class__.__name__}", 0.0, ""))
        while not stop.is_set():
            try:
                instance_id, xml = work.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                response = http.post(f"{base}/submission", timeout=120,
                                     files={"xml_submission_file": ("submission.xml", xml, "text/xml")})
                status, body = response.status_code, response.text[:300] if response.status_code != 201 else ""
            except requests.RequestException as exc:
                status, body = exc.__class__.__name__, str(exc)[:300]
            results.append((instance_id, status, time.perf_counter() - started, body))


def verify(sent: list[tuple[str, dict]]) -> dict:
    """Every instanceID sent is stored exactly once and projected; households and persons are what was sent."""
    from django.db.models import Count

    from parcours.questionnaires.models import QuarantineEntry, Submission
    from parcours.registry.models import Household, Person

    ids = [instance_id for instance_id, _answers in sent]
    stored = Counter()
    statuses = Counter()
    flagged = 0
    for start in range(0, len(ids), 1000):
        rows = Submission.objects.filter(instance_id__in=ids[start:start + 1000])
        for row in rows.values("instance_id", "status", "flags"):
            stored[row["instance_id"]] += 1
            statuses[row["status"]] += 1
            flagged += bool(row["flags"])
    codes = {answers["ident/hh_code"] for _i, answers in sent}
    households = Household.objects.filter(code__in=codes)
    persons = Person.objects.filter(household__code__in=codes).count()
    member_counts = dict(households.annotate(n=Count("members")).values_list("code", "n"))
    expected = {answers["ident/hh_code"]: len(answers["roster/member"]) for _i, answers in sent}
    return {
        "lost": sum(1 for i in ids if stored[i] == 0),
        "duplicated": sum(1 for i in ids if stored[i] > 1),
        "not_projected": sum(n for status, n in statuses.items() if status != Submission.Status.PROJECTED),
        "flagged": flagged,
        "quarantined": QuarantineEntry.objects.filter(submission__instance_id__in=ids).count(),
        "households": households.count(), "households_sent": len(codes),
        "persons": persons, "persons_sent": sum(expected.values()),
        "rosters_differing": sum(1 for code, n in expected.items() if member_counts.get(code) != n),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/parcours_bench_{os.getpid()}")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", type=int, default=200, help="submissions timed in-process afterwards (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its URL)")
    args = parser.parse_args()

    maintenance, name = admin_dsn(args.database_url)
    var = Path(tempfile.mkdtemp(prefix="parcours-bench-"))
    (var / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT otherwise
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "parcours.settings.base",
           "DEBUG": "0", "SECRET_KEY": "bench-" + os.urandom(16).hex(), "PARCOURS_VAR_DIR": str(var),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_CONN_MAX_AGE": "60", "LOG_LEVEL": "ERROR",
           "PYTHONPATH": str(ROOT)}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY",
                                           "PARCOURS_VAR_DIR", "DATABASE_CONN_MAX_AGE", "LOG_LEVEL")})
    server = None
    psql(f'CREATE DATABASE "{name}"', maintenance)
    try:
        emit("load_average_1m_before", os.getloadavg()[0], "", cores=os.cpu_count())
        started = time.perf_counter()
        parcours("migrate", "--no-input", "--verbosity", "0", env=env)
        parcours("demo", "--households", "0", env=env)
        note(f"database {name} migrated and demo loaded in {time.perf_counter() - started:.0f} s")

        port = free_port()
        base = f"http://127.0.0.1:{port}/collect/demo"
        server = start_server(args, env, port, var / "gunicorn.log")
        wait_for(f"{base}/formList", server)
        form_id, version, zones = collect_setup(base)

        from bench import synthetic  # after the environment: the demo tables need no database, but settings

        sent = list(synthetic.submissions(args.submissions, zones=zones, seed=args.seed))
        work: queue.Queue = queue.Queue()
        for instance_id, answers in sent:
            work.put((instance_id, synthetic.to_instance_xml(answers, form_id, version, instance_id)))
        note(f"{len(sent)} submissions ready; {args.clients} phones → gunicorn {args.workers} × "
             f"{args.worker_class}{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}")

        results: list = []
        stop = threading.Event()
        meter = CpuMeter(server.pid, name)
        meter.sample()  # the baseline: what the server and its connections used before the run
        meter.start()
        client_cpu = time.process_time()
        threads = [threading.Thread(target=client, args=(base, work, results, stop), daemon=True)
                   for _ in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        cpu = meter.stop()
        emit("load_average_1m_during", os.getloadavg()[0], "")

        posts = [r for r in results if r[0] is not None]
        statuses = Counter(r[1] for r in results)
        accepted = sum(1 for r in posts if r[1] == 201)
        latencies = [r[2] * 1000 for r in posts]
        emit("wall_time", round(wall, 2), "s", submissions=len(sent), clients=args.clients, workers=args.workers,
             worker_class=args.worker_class, threads=args.threads if args.worker_class == "gthread" else 1)
        emit("submissions_per_second", round(accepted / wall, 1), "submissions/s")
        for p in (50, 95, 99):
            emit(f"latency_p{p}", round(percentile(latencies, p), 1), "ms")
        emit("latency_max", round(max(latencies, default=0), 1), "ms")
        emit("http_status", {str(k): v for k, v in sorted(statuses.items(), key=str)}, "count")
        if accepted:
            per = {kind: cpu.get(kind, 0.0) / accepted * 1000 for kind in ("server", "database")}
            emit("server_cpu_ms", round(per["server"], 1), "ms/submission", note="gunicorn workers")
            emit("database_cpu_ms", round(per["database"], 1), "ms/submission", note="PostgreSQL backends")
            emit("client_cpu_ms", round(client_cpu / accepted * 1000, 1), "ms/submission",
                 note="the bench's own phones, on the same cores")
            emit("cpu_bound_capacity", round((os.cpu_count() or 1) / ((per["server"] + per["database"]) / 1000), 1),
                 "submissions/s", note="cores / (server + database CPU per submission): the rate an idle machine "
                 "with clients elsewhere would approach")
        for body in list(dict.fromkeys(r[3] for r in results if r[1] != 201 and r[3]))[:3]:
            note(f"not accepted: {body}")

        import django

        django.setup()
        checks = verify(sent)
        for key, value in checks.items():
            emit(f"check_{key}", value, "count")
        server_errors = sum(n for status, n in statuses.items() if isinstance(status, int) and status >= 500)
        if args.profile:
            from bench.receive_profile import profile

            for line in profile(args.profile, seed=args.seed + 1):
                emit(line.pop("metric"), line.pop("value"), line.pop("unit"), **line)
        rate = accepted / wall
        print(json.dumps({"bench": BENCH, "metric": "summary", "submissions_per_second": round(rate, 1),
                          "goal": GOAL, "ratio": round(rate / GOAL, 3), "lost": checks["lost"],
                          "server_errors": server_errors, "p95_ms": round(percentile(latencies, 95), 1),
                          "workers": args.workers, "worker_class": args.worker_class, "clients": args.clients},
                         ensure_ascii=False), flush=True)
        failed = checks["lost"] or checks["duplicated"] or server_errors or checks["not_projected"]
        return 1 if failed else 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # gunicorn's master and its workers, the group we started
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log = var / "gunicorn.log"
        errors = [line for line in (log.read_text(errors="replace").splitlines() if log.exists() else [])
                  if "Error" in line or "Traceback" in line or "[CRITICAL]" in line]
        if errors:
            note("gunicorn log, errors:\n" + "\n".join(errors[-15:]))
        from django.db import connections

        connections.close_all()
        if args.keep:
            note(f"kept: DATABASE_URL={args.database_url}")
        else:
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', maintenance)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
