"""Fixtures: an app on a fresh copy of the seeded database, a client, login helpers and factories.

The database is SQLite by default; with DATABASE_URL=postgresql://… the same tests run on PostgreSQL.
The reference and demo data are loaded once into a template; each test gets its own copy
(a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL).
"""
import itertools
import os
import re
import shutil
import sys
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import models  # noqa: E402
import seed  # noqa: E402
from app import create_app  # noqa: E402

FAST_HASH = "pbkdf2:sha256:1000"
PG_URL = os.environ.get("DATABASE_URL", "")
ON_PG = PG_URL.startswith("postgres")
_counter = itertools.count()


def _pg_admin():
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg2
    base, _, _ = PG_URL.rpartition("/")
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    return conn, base


def _seed(url):
    database = models.init_db(url)
    models.create_tables()
    with database.connection_context():
        seed.load_reference()
        seed.load_demo(FAST_HASH)
    database.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """The seeded template database, built once per test session."""
    if ON_PG:
        conn, base = _pg_admin()
        name = f"zc_template_{uuid.uuid4().hex[:8]}"
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
        _seed(f"{base}/{name}")
        yield name
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.close()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _seed(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(template_db, tmp_path):
    """A private copy of the template for one test."""
    if ON_PG:
        conn, base = _pg_admin()
        name = f"zc_test_{os.getpid()}_{next(_counter)}"
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        yield f"{base}/{name}"
        if not models.db.is_closed():
            models.db.close()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.close()
    else:
        path = tmp_path / "app.db"
        shutil.copy(template_db, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    """The application on this test's database; the test body may query models directly."""
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "FILES_DIR": str(tmp_path / "files"),
    })
    models.db.connect(reuse_if_open=True)
    yield application
    if not models.db.is_closed():
        models.db.close()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="(?:\w-)?csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(client, path="/login"):
    """The CSRF token a browser would find in the form of `path`."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token in {path}"
    return match.group(1)


class AuthActions:
    """Log in as a person, a unit or a username account the way a browser does."""

    def __init__(self, client):
        self.client = client

    def person(self, id_number, password=seed.DEMO_PASSWORD, follow=False):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"kind": "个人", "p-id_number": id_number, "p-password": password,
                                                "p-csrf_token": token}, follow_redirects=follow)

    def unit(self, credit_code, password=seed.DEMO_PASSWORD, follow=False):
        token = csrf_token(self.client, "/login?tab=单位")
        return self.client.post("/login", data={"kind": "单位", "u-credit_code": credit_code, "u-password": password,
                                                "u-csrf_token": token}, follow_redirects=follow)

    def staff(self, username, password=seed.DEMO_PASSWORD, follow=False):
        token = csrf_token(self.client, "/declare/login")
        return self.client.post("/declare/login", data={"username": username, "password": password,
                                                        "csrf_token": token}, follow_redirects=follow)

    def pick_role(self, role):
        token = csrf_token(self.client, "/select-role")
        return self.client.post("/select-role", data={"role": role, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/help/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def demo_person(name="张三"):
    return models.Person.get(models.Person.name == name)


def demo_org(name="托克托县建设工程有限公司"):
    return models.Org.get(models.Org.name == name)


def make_org(name=None, nature="非公有制无主管单位", region="150122", **fields):
    """A new unit with a valid credit code and its login account."""
    n = next(_counter)
    org = models.Org.create(
        credit_code=seed.make_credit_code("91", region, f"MA0T{n:05d}"), name=name or f"测试单位{n}",
        nature=nature, region=region,
        hr_agency=models.Agency.get(models.Agency.region == region, models.Agency.kind == "人社局"), **fields)
    models.Account.create(login=org.credit_code, kind="单位", org=org, display_name=org.name,
                          password_hash=models.Account.get(models.Account.login == "admin").password_hash)
    return org


def make_person(org=None, name=None, born="19880808"):
    """A new person with a valid 身份证号码 and the demo password."""
    n = next(_counter)
    id_number = seed.make_id_number("150122", born, 500 + n % 400)
    birth, gender = models.id_facts(id_number)
    person = models.Person.create(id_number=id_number, name=name or f"测试人{n}", gender=gender, birth_date=birth,
                                  phone=f"139{n:08d}", org=org or demo_org())
    models.Account.create(login=id_number, kind="个人", person=person, display_name=person.name,
                          password_hash=models.Account.get(models.Account.login == "admin").password_hash)
    return person
