"""``parcours serve``: the web server and the task worker in one command, for one office or development.

Production runs gunicorn behind nginx and a separate ``parcours db_worker`` process instead
(docs/operations.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.translation import gettext as _

# How long a worker may take to finish the task it is running once asked to stop.
WORKER_STOP_SECONDS = 30


class Command(BaseCommand):
    requires_system_checks = []  # runserver runs them, once per (re)start.

    @property
    def help(self) -> str:  # a property, so that it is translated when shown, not when imported
        return _(
            "Start Parcours for one office or for development: Django's web server on HOST:PORT and, beside "
            "it, the worker that runs background jobs (imports, exports…). Stopping the server (Ctrl-C or "
            "SIGTERM) stops the worker. In production run gunicorn and a separate `parcours db_worker` "
            "instead (see docs/operations.md)."
        )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on (default 127.0.0.1)."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on (default 8000)."))
        parser.add_argument(
            "--reload", action="store_true", default=None,
            help=_("Restart the server and the worker when the code changes (default: when DEBUG is on)."),
        )
        parser.add_argument("--no-reload", action="store_false", dest="reload",
                            help=_("Never restart on code changes."))
        parser.add_argument("--no-worker", action="store_true", help=_("Start the web server only."))

    def handle(self, *args, host: str, port: int, reload: bool | None, no_worker: bool, **options):
        reload = settings.DEBUG if reload is None else reload
        addrport = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        runserver_options = {"use_reloader": reload, "use_ipv6": ":" in host}

        # Django's reloader runs this command again in a child process (with DJANGO_AUTORELOAD_ENV set) to
        # serve requests; the worker belongs to the parent only, which outlives every reload.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            call_command("runserver", addrport, **runserver_options)
            return

        _check_port_free(host, port)
        workers = [] if no_worker else self._start_workers(reload=reload, verbosity=options["verbosity"])
        # Without the reloader nothing turns SIGTERM into an exception; do it, so that `finally` runs.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", addrport, **runserver_options)
        finally:
            for worker in workers:
                self._stop_worker(worker)

    def _start_workers(self, *, reload: bool, verbosity: int) -> list[subprocess.Popen]:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.compat import task_backends

        workers = []
        for alias in settings.TASKS:
            backend = task_backends[alias]
            if not isinstance(backend, DatabaseBackend):
                self.stdout.write(_("Tasks of “%(alias)s” run with %(backend)s: no worker needed.")
                                  % {"alias": alias, "backend": type(backend).__name__})
                continue
            command = [
                sys.executable, "-m", "parcours.cli", "db_worker", "--backend", alias, "--queue-name", "*",
                "--reload" if reload else "--no-reload", "--verbosity", str(verbosity),
            ]
            # Same interpreter and settings (DJANGO_SETTINGS_MODULE is in the environment by now). Its own
            # session, so Ctrl-C reaches the server only and the worker is stopped once, by us.
            worker = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True,
                                      preexec_fn=_die_with_parent)
            self.stdout.write(_("Task worker started (process %(pid)s).") % {"pid": worker.pid})
            workers.append(worker)
        return workers

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is not None:
            return
        self.stdout.write(_("Stopping the task worker (it finishes the task it is running)…"))
        _signal_group(worker, signal.SIGTERM)
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.stderr.write(_("The task worker did not stop in %(seconds)s s; killing it.")
                              % {"seconds": WORKER_STOP_SECONDS})
            _signal_group(worker, signal.SIGKILL)
            worker.wait()


def _check_port_free(host: str, port: int) -> None:
    """Fail before starting the worker: runserver leaves with os._exit() when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)s (%(error)s). Is another server running? Try --port.")
                % {"host": host, "port": port, "error": exc.strerror}
            ) from exc


def _signal_group(worker: subprocess.Popen, signum: int) -> None:
    # The worker may have a reloader child in its session: signal them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signum)


def _die_with_parent() -> None:
    """On Linux, have the kernel stop the worker if this process dies without cleaning up (kill -9)."""
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        pr_set_pdeathsig = 1
        ctypes.CDLL(libc_name, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
