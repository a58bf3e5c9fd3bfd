"""职称申报系统 for 个人: 申报记录 (the wizard comes with its own issue)."""
from flask import Blueprint, g

from blueprints.access import render, role_required
from models import ROLE_PERSON, Application

bp = Blueprint("declare", __name__, url_prefix="/declare")


@bp.get("/")
@role_required(ROLE_PERSON)
def home():
    """申报记录: the person's declarations, newest first."""
    records = (Application.select().where(Application.person == g.account.person)
               .order_by(Application.created_at.desc()))
    return render("declare/home.html", records=records)
