"""Browser journeys in Chromium. By default a gunicorn server with fresh demo data is started here;
`pytest e2e --base-url http://host:port` (make e2e BASE_URL=…) runs the same journeys against a deployed instance."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
# Outside test-results/, which pytest-playwright empties at the start of every session.
SHOTS = os.path.join(ROOT, "screenshots")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 860}}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


@pytest.fixture(scope="session")
def base_url(pytestconfig, tmp_path_factory):
    """The given --base-url, or a local gunicorn serving a fresh demo database."""
    given = pytestconfig.getoption("--base-url", None)
    if given:
        yield given.rstrip("/")
        return
    workdir = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}", "SECRET_KEY": "e2e-secret"}
    python = sys.executable
    subprocess.run([python, "-m", "flask", "--app", "app", "init-db"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(python), "gunicorn")
    log = open(workdir / "server.log", "w")
    process = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                                "--worker-class", "gthread", "app:create_app()"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/login", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def shot(page):
    """Save a screenshot under screenshots/ for a person to look at."""
    os.makedirs(SHOTS, exist_ok=True)

    def take(name, full_page=True):
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)
    return take
