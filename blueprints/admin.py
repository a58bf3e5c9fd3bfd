"""Administration for 自治区人社厅 and 盟市 bureaus."""
from flask import Blueprint

from blueprints.access import render, role_required
from models import ROLE_ADMIN, Account, Agency, Committee, Org, Person, Plan

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(ROLE_ADMIN)
def home():
    """管理首页: what the system holds."""
    counts = [("单位", Org.select().count()), ("个人", Person.select().count()),
              ("人社局/其他局", Agency.select().count()), ("评委会", Committee.select().count()),
              ("申报计划", Plan.select().count()), ("账号", Account.select().count())]
    return render("admin/home.html", counts=counts)
