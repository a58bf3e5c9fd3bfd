"""人才库 for 单位: 业务办理 and the entry to the review side."""
from flask import Blueprint, current_app, g

from blueprints.access import render, role_required
from models import ITEM_PENDING, ROLE_UNIT, ArchiveItem, Person

bp = Blueprint("unit", __name__, url_prefix="/unit")


@bp.get("/")
@role_required(ROLE_UNIT)
def home():
    """业务办理: the unit's facts, its staff waiting for archive approval and the review entry."""
    org = g.account.org
    pending = (ArchiveItem.select().join(Person)
               .where((Person.org == org) & (ArchiveItem.status == ITEM_PENDING)).count())
    staff = Person.select().where(Person.org == org).count()
    return render("unit/home.html", org=org, pending=pending, staff=staff,
                  entry_label=f"{current_app.config['DECLARATION_YEAR']}年职称申报审核入口")
