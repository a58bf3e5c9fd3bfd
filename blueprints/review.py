"""Review consoles of 工作单位, 主管单位, 旗县/盟市 bureaus and 评委会."""
from flask import Blueprint

from blueprints.access import render, role_required
from models import ROLE_CITY, ROLE_COMMITTEE, ROLE_COUNTY, ROLE_SUPERVISOR, ROLE_UNIT

bp = Blueprint("review", __name__, url_prefix="/review")

REVIEW_ROLES = (ROLE_UNIT, ROLE_SUPERVISOR, ROLE_COUNTY, ROLE_CITY, ROLE_COMMITTEE)


@bp.get("/")
@role_required(*REVIEW_ROLES)
def home():
    """The console of the active role: what waits for this unit."""
    return render("review/home.html")
