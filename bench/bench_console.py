"""Median time of a review console page listing 300 records (and its Excel export), in a warm process.

Run: .venv/bin/python bench/bench_console.py [records]
"""
import logging
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import models  # noqa: E402
import seed  # noqa: E402
from app import create_app  # noqa: E402
from tests.conftest import AuthActions, demo_org, make_person  # noqa: E402
from tests.test_review_factory import make_submitted  # noqa: E402


class _Counter(logging.Handler):
    count = 0

    def emit(self, record):
        _Counter.count += 1


def main(n_records=300, runs=9):
    workdir = tempfile.mkdtemp(prefix="bench-console-")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{workdir}/app.db", "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "FILES_DIR": f"{workdir}/files"})
    models.create_tables()
    with models.db.connection_context():
        seed.load_reference()
        seed.load_demo("pbkdf2:sha256:1000")
    with app.app_context(), models.db.connection_context():
        org = demo_org()
        for _ in range(n_records):
            make_submitted(person=make_person(org=org), org=org, forms=False)
    client = app.test_client()
    AuthActions(client).unit(org.credit_code)
    for path in ("/review/", "/review/export"):
        client.get(path)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{path:16} {n_records} records  median {statistics.median(times):7.1f} ms  "
              f"min {min(times):7.1f}  status {response.status_code}")
    logger = logging.getLogger("peewee")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(_Counter())
    client.get("/review/")
    print(f"SQL queries for one console page: {_Counter.count}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
