"""人才库 for 个人: the home page with the entry gate to the declaration system."""
from flask import Blueprint, current_app, g

from blueprints.access import render, role_required
from models import ITEM_APPROVED, ITEM_STATUSES, ROLE_PERSON, ArchiveItem, fn

bp = Blueprint("talent", __name__, url_prefix="/talent")


def entry_gate(person):
    """What still blocks the 「职称申报入口」: one approved 学习经历 and one approved 工作经历 are needed."""
    approved = {kind for (kind,) in ArchiveItem.select(ArchiveItem.kind)
                .where((ArchiveItem.person == person) & (ArchiveItem.status == ITEM_APPROVED)).tuples()}
    org_name = person.org.name if person.org_id else "工作单位"
    return [f"业绩档案中还没有审核通过的{kind}:请先填写{kind}(没有可填写「无」),并联系{org_name}在「业绩档案审核」中审核通过"
            for kind in ("学习经历", "工作经历") if kind not in approved]


@bp.get("/")
@role_required(ROLE_PERSON)
def home():
    """个人首页: profile summary, archive counts and the declaration entry."""
    person = g.account.person
    counts = dict(ArchiveItem.select(ArchiveItem.status, fn.COUNT(ArchiveItem.id))
                  .where(ArchiveItem.person == person).group_by(ArchiveItem.status).tuples())
    return render("talent/home.html", person=person, counts=counts, statuses=ITEM_STATUSES,
                  missing=entry_gate(person), entry_label=f"{current_app.config['DECLARATION_YEAR']}职称申报入口")
