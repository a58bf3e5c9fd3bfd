"""create_app(): configuration, database, blueprints, security headers and error pages."""
import os
import secrets

import click
from flask import Flask, g, render_template
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFError, CSRFProtect

import models
from blueprints.access import IDLE_NOTICE, load_actor, menu_for

csrf = CSRFProtect()
htmx = HTMX()

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _secret_key(instance_path):
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def create_app(test_config=None):
    """Build the application; `test_config` overrides any setting."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL",
                                    "sqlite:///" + os.path.join(app.instance_path, "app.db")),
        FILES_DIR=os.path.join(app.instance_path, "files"),
        IDLE_TIMEOUT_SECONDS=3600,
        DECLARATION_YEAR=models.now().year,
        PASSWORD_HASH_METHOD="scrypt",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE") == "1",
        SESSION_COOKIE_NAME="zc_session",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        # The token lives as long as the session; the server-side idle timeout ends both.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    models.init_db(app.config["DATABASE_URL"])
    if not app.config.get("TESTING"):
        # Parse the form fonts in the background so a worker's first PDF does not pay for it.
        import threading

        import pdfgen
        threading.Thread(target=pdfgen.warm_up, daemon=True).start()
    csrf.init_app(app)
    htmx.init_app(app)

    from blueprints import admin, auth, declare, help, review, seals, talent, unit, verify
    for module in (auth, talent, unit, declare, review, seals, admin, help, verify):
        app.register_blueprint(module.bp)

    @app.before_request
    def open_db():
        models.db.connect(reuse_if_open=True)
        load_actor()

    @app.teardown_request
    def close_db(exc):
        if not models.db.is_closed():
            models.db.close()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if g.get("account") is not None:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # A global, not a context value, so imported macros see it too.
    app.add_template_global(models.mask_id, "mask_id")

    @app.context_processor
    def layout_context():
        from models import PICK_LABELS
        account = g.get("account")
        return {
            "current_account": account,
            "current_role": g.get("role"),
            "role_label": PICK_LABELS.get(g.get("role"), ""),
            "current_unit": account.unit_name() if account is not None else "",
            "idle_notice": IDLE_NOTICE,
            "can_switch_role": account is not None and len(account.roles()) > 1,
            "has_view": lambda endpoint: endpoint in app.view_functions,
            "menu": menu_for(g.get("role")) if account is not None else [],
        }

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("error.html", code=400,
                               message="页面已过期或请求来源无效,请刷新页面后重试"), 400

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", code=404, message="页面不存在,或您没有查看的权限"), 404

    @app.errorhandler(413)
    def too_large(error):
        return render_template("error.html", code=413, message="上传的文件过大"), 413

    @app.errorhandler(500)
    def server_error(error):
        if not models.db.is_closed() and models.db.in_transaction():
            models.db.rollback()
        return render_template("error.html", code=500, message="系统繁忙,请稍后重试"), 500

    @app.cli.command("init-db")
    @click.option("--demo/--no-demo", default=True, help="Load the demo data into an empty database.")
    def init_db_command(demo):
        """Create the tables; on an empty database load the reference and demo data."""
        import seed
        models.create_tables()
        with models.db.connection_context():
            if models.Region.select().count() == 0:
                seed.load_reference()
                if demo:
                    seed.load_demo(app.config["PASSWORD_HASH_METHOD"])
                click.echo("数据库已创建。")
            else:
                click.echo("数据库已存在,保留现有数据。")
            if demo:
                click.echo(seed.describe_demo_accounts())

    return app
