"""Sessions, the current actor and the access decorators: the one place that decides who may see what."""
import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for

from models import (
    ROLE_ADMIN, ROLE_CITY, ROLE_COMMITTEE, ROLE_COUNTY, ROLE_PERSON, ROLE_SUPERVISOR, ROLE_UNIT,
    Account, UserSession, now,
)

IDLE_NOTICE = "如果您超过1小时没有任何操作,将自动退出,请及时保存"
TIMEOUT_MESSAGE = "您超过1小时没有任何操作,已自动退出,请重新登录"
# last_seen is written at most this often, so a busy page does not write on every request.
TOUCH_EVERY = timedelta(seconds=30)

HOME_ENDPOINTS = {
    ROLE_PERSON: "talent.home",
    ROLE_UNIT: "unit.home",
    ROLE_SUPERVISOR: "review.home",
    ROLE_COUNTY: "review.home",
    ROLE_CITY: "review.home",
    ROLE_COMMITTEE: "review.home",
    ROLE_ADMIN: "admin.home",
}


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(account, role=None):
    """Open a server-side session for `account` and put only its token in the cookie."""
    token = secrets.token_urlsafe(32)
    UserSession.create(token_hash=_hash(token), account=account, role=role)
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes  # a message set before login ("注册成功") survives the new session
    session["sid"] = token
    session.permanent = True
    return token


def end_sessions(account, reason, keep=None):
    """End every open session of `account` on the server (logout elsewhere, password change, disable)."""
    query = UserSession.update(ended_at=now(), end_reason=reason).where(
        (UserSession.account == account) & UserSession.ended_at.is_null())
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return query.execute()


def end_current_session(reason):
    """End this browser's session on the server and forget the cookie."""
    if g.get("user_session") is not None:
        UserSession.update(ended_at=now(), end_reason=reason).where(
            UserSession.id == g.user_session.id).execute()
    session.clear()
    g.user_session = g.account = g.role = None


def set_role(role):
    """Make `role` the active role of this session."""
    UserSession.update(role=role).where(UserSession.id == g.user_session.id).execute()
    g.user_session.role = role
    g.role = role


def load_actor():
    """before_request: find the session of the cookie, end it after an hour of silence."""
    g.user_session = g.account = g.role = None
    token = session.get("sid")
    if not token:
        return
    found = (UserSession.select(UserSession, Account).join(Account)
             .where((UserSession.token_hash == _hash(token)) & UserSession.ended_at.is_null())
             .first())
    if found is None or not found.account.active:
        session.clear()
        return
    at = now()
    if at - found.last_seen > timedelta(seconds=current_app.config["IDLE_TIMEOUT_SECONDS"]):
        UserSession.update(ended_at=at, end_reason="timeout").where(UserSession.id == found.id).execute()
        session.clear()
        flash(TIMEOUT_MESSAGE, "warning")
        return
    if at - found.last_seen > TOUCH_EVERY:
        UserSession.update(last_seen=at).where(UserSession.id == found.id).execute()
    g.user_session = found
    g.account = found.account
    g.role = found.role


def login_url_for_next():
    """The login page that fits the path asked for: bureaus log in to the declaration system."""
    if request.path.startswith(("/review", "/admin", "/declare")):
        return url_for("auth.staff_login", next=request.full_path)
    return url_for("auth.login", next=request.full_path)


def login_required(view):
    """The view needs a logged-in account (any role, or none chosen yet)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("account") is None:
            if request.headers.get("HX-Request"):
                response = make_response("", 401)
                response.headers["HX-Redirect"] = login_url_for_next()
                return response
            return redirect(login_url_for_next())
        return view(*args, **kwargs)
    return wrapped


def role_required(*roles):
    """The view is for these roles only; any other role gets a 404, so nothing is confirmed to exist."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if g.role is None:
                return redirect(url_for("auth.select_role", next=request.full_path))
            if g.role not in roles:
                abort(404)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def home_url(role):
    """Where a role lands after login or role selection."""
    return url_for(HOME_ENDPOINTS[role])


def actor_org():
    """The Org the current 单位 role speaks for."""
    return g.account.org


def is_htmx():
    """A real htmx swap (not a boosted navigation or a history restore) wants a fragment."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page, fragment=None, status=200, **context):
    """Render the page, or only its fragment for an htmx swap; always varies on HX-Request."""
    template = fragment if (fragment and is_htmx()) else page
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response


# The left menu of each role: (label, endpoint). Entries whose endpoint does not exist yet are hidden,
# so a module appears in the menu as soon as its view is registered.
MENUS = {
    ROLE_PERSON: [("首页", "talent.home"), ("业绩档案", "talent.archive"), ("证书认领", "talent.claims"),
                  ("申报计划", "declare.plans"), ("申报记录", "declare.home"), ("修改密码", "auth.change_password"),
                  ("帮助中心", "help.index")],
    ROLE_UNIT: [("业务办理", "unit.home"), ("单位信息修改", "unit.profile"), ("业绩档案审核", "unit.archive_review"),
                ("行业汇总展示", "unit.staff"), ("证书认领审核", "unit.claims"), ("职称审核", "review.home"),
                ("印章管理", "seals.index"), ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
    ROLE_SUPERVISOR: [("首页", "review.home"), ("历史记录", "review.history"), ("印章管理", "seals.index"),
                      ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
    ROLE_COUNTY: [("首页", "review.home"), ("历史记录", "review.history"), ("印章管理", "seals.index"),
                  ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
    ROLE_CITY: [("首页", "review.home"), ("历史记录", "review.history"), ("印章管理", "seals.index"),
                ("统计", "admin.stats"), ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
    ROLE_COMMITTEE: [("首页", "review.home"), ("历史记录", "review.history"),
                     ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
    ROLE_ADMIN: [("首页", "admin.home"), ("用户管理", "admin.users"), ("计划管理", "admin.plans"),
                 ("评委会管理", "admin.committees"), ("统计", "admin.stats"), ("操作日志", "admin.log"),
                 ("修改密码", "auth.change_password"), ("帮助中心", "help.index")],
}


def menu_for(role):
    """The menu entries of a role whose views exist."""
    views = current_app.view_functions
    return [(label, endpoint) for label, endpoint in MENUS.get(role, []) if endpoint in views]
