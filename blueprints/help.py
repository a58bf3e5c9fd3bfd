"""帮助中心: the operations guide's questions (the full, searchable centre comes with its own issue)."""
from flask import Blueprint

from blueprints.access import render

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
def index():
    """帮助中心 front page, open to everyone."""
    return render("help/index.html")
