"""The single geometry table shared by the form generators and stamp().

All lengths are millimetres on an A4 page, origin at the top-left corner (fpdf2's
convention).  ``cell_rect`` gives the rectangle inside which a role's stamps must land;
a page index of -1 means the last page (the 评审表's opinion page is always its last page,
however long the sections before it run).
"""

from .errors import FormError

ROLE_UNIT = "工作单位"
ROLE_SUPERVISOR = "主管单位"
ROLE_COUNTY = "旗县人社局"
ROLE_CITY = "盟市人社局"
ROLE_COMMITTEE = "评委会"
ROLES = (ROLE_UNIT, ROLE_SUPERVISOR, ROLE_COUNTY, ROLE_CITY, ROLE_COMMITTEE)
STAMPING_ROLES = ROLES[:4]

FORM_REVIEW = "review"
FORM_SUBMISSION = "submission"
FORMS = (FORM_REVIEW, FORM_SUBMISSION)

PAGE_W = 210.0
PAGE_H = 297.0
MARGIN = 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
FOOTER_Y = 286.0

# 送审表: the three opinion columns (guide 二(六)); 旗县 and 盟市 share the third one.
SUB_HEAD_Y = 196.0
SUB_HEAD_H = 9.0
SUB_BODY_Y = SUB_HEAD_Y + SUB_HEAD_H
SUB_BODY_H = 78.0
SUB_COLUMNS = (
    ("单位审核意见", MARGIN, 52.0),
    ("主管部门审核意见", MARGIN + 52.0, 52.0),
    ("盟市厅局审核意见", MARGIN + 104.0, 76.0),
)

# 评审表 opinion page: a label column on the left, one row per reviewing body.
REV_TOP = 30.0
REV_LABEL_W = 22.0
REV_ROWS = (
    ("单位推荐意见", 66.0),
    ("主管部门意见", 50.0),
    ("人社部门意见", 56.0),
    ("评审委员会意见", 74.0),
)


def _review_rows():
    y = REV_TOP
    rows = []
    for label, height in REV_ROWS:
        rows.append((label, y, height))
        y += height
    return rows


def _cells():
    cells = {}
    unit, sup, bureau = SUB_COLUMNS
    cells[(FORM_SUBMISSION, ROLE_UNIT)] = (0, unit[1], SUB_BODY_Y, unit[2], SUB_BODY_H)
    cells[(FORM_SUBMISSION, ROLE_SUPERVISOR)] = (0, sup[1], SUB_BODY_Y, sup[2], SUB_BODY_H)
    half = bureau[2] / 2
    cells[(FORM_SUBMISSION, ROLE_COUNTY)] = (0, bureau[1], SUB_BODY_Y, half, SUB_BODY_H)
    cells[(FORM_SUBMISSION, ROLE_CITY)] = (0, bureau[1] + half, SUB_BODY_Y, half, SUB_BODY_H)
    x = MARGIN + REV_LABEL_W
    w = CONTENT_W - REV_LABEL_W
    (_l1, y1, h1), (_l2, y2, h2), (_l3, y3, h3), (_l4, y4, h4) = _review_rows()
    cells[(FORM_REVIEW, ROLE_UNIT)] = (-1, x, y1, w, h1)
    cells[(FORM_REVIEW, ROLE_SUPERVISOR)] = (-1, x, y2, w, h2)
    cells[(FORM_REVIEW, ROLE_COUNTY)] = (-1, x, y3, w / 2, h3)
    cells[(FORM_REVIEW, ROLE_CITY)] = (-1, x + w / 2, y3, w / 2, h3)
    cells[(FORM_REVIEW, ROLE_COMMITTEE)] = (-1, x, y4, w, h4)
    return cells


CELLS = _cells()


def cell_rect(form, role):
    """Return (page_index, x, y, w, h) in mm, top-left origin, of a role's cell on a form."""
    try:
        return CELLS[(form, role)]
    except KeyError:
        raise FormError(f"{_form_name(form)}没有「{role}」的审核意见栏") from None


def _form_name(form):
    return {FORM_REVIEW: "评审表", FORM_SUBMISSION: "送审表"}.get(form, str(form))


def slots(form, role):
    """Return the named sub-rectangles (mm) of a role's cell where labels and stamps go."""
    _page, x, y, w, h = cell_rect(form, role)
    pad = 2.0
    line = 7.5
    wide = w > 100
    date = (x + w - pad - min(w - 2 * pad, 45.0), y + h - pad - line, min(w - 2 * pad, 45.0), line)
    leader_y = date[1] - line - (1.0 if wide else 0.5)
    reviewer_y = leader_y - line - 0.5
    label_w = 13.0
    sign_w = min(w / 2 if wide else w - 2 * pad - label_w, 45.0)
    result = {
        "reviewer_label": (x + pad, reviewer_y, label_w, line),
        "reviewer_sign": (x + pad + label_w, reviewer_y, sign_w, line),
        "leader_label": (x + pad, leader_y, label_w, line),
        "leader_sign": (x + pad + label_w, leader_y, sign_w, line),
        "date": date,
    }
    seal = min(40.0, w * 0.66, h * 0.58)
    result["seal"] = (x + w - pad - seal - (8.0 if wide else 0.0), y + h - pad - seal - 1.0, seal, seal)
    top = y + pad
    if role in (ROLE_COUNTY, ROLE_CITY):
        # Two bureaus share one column: a caption says which half is whose.
        result["caption"] = (x + pad, y + 1.0, w - 2 * pad, 5.0)
        top += 5.0
    if wide and role == ROLE_UNIT:
        opinion_h = reviewer_y - top - 16.0
    elif role == ROLE_UNIT:
        opinion_h = (reviewer_y - top) * 0.42
    else:
        opinion_h = reviewer_y - top - 1.0
    opinion_w = w - 2 * pad
    result["opinion"] = (x + pad, top, opinion_w, opinion_h)
    if role == ROLE_UNIT:
        pub_top = top + opinion_h + 1.0
        result["publicity"] = (x + pad, pub_top, opinion_w, reviewer_y - pub_top - 1.0)
        # The 公示情况 text sits right of its label in a wide cell, under it in a narrow one.
        label = 17.0 if wide else 0.0
        under = 0.0 if wide else 5.0
        result["publicity_text"] = (x + pad + label, pub_top + under, opinion_w - label,
                                    reviewer_y - pub_top - 1.0 - under)
    return result
