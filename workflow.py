"""The only module that changes an application's status: routes, transitions and seals.

Every transition is a conditional UPDATE on the record's version inside a write transaction, with its
audit event in the same transaction, so two reviewers acting at once leave exactly one outcome.
"""
from models import (
    ROLE_CITY, ROLE_COUNTY, ROLE_SUPERVISOR, ROLE_UNIT, Agency, Application, AuditEvent, now, write_tx,
)

STALE = "该申报记录已被其他操作更新,请刷新后重试"


class TransitionError(Exception):
    """A transition that is not allowed now; the message is shown to the user."""


def change_status(application, new_status, actor, role, unit_name, action, reason="", detail=None, **fields):
    """Move `application` to `new_status` if nobody changed it since it was read; log it; return it."""
    with write_tx():
        changed = (Application.update(status=new_status, version=Application.version + 1, updated_at=now(),
                                      **fields)
                   .where((Application.id == application.id) & (Application.version == application.version))
                   .execute())
        if changed != 1:
            raise TransitionError(STALE)
        AuditEvent.create(application=application, account=actor, role=role, unit_name=unit_name, action=action,
                          from_status=application.status, to_status=new_status, reason=reason, detail=detail or {})
    return Application.get_by_id(application.id)


def city_bureau_of(agency):
    """The 盟市 人社局 above a 旗县-level bureau."""
    city = agency.region.parent
    return Agency.get_or_none((Agency.region == city) & (Agency.kind == "人社局"))


def unit_chain(org):
    """[(role, unit)] of the units a staff member's declaration passes before the committee.

    工作单位 → 主管单位 (when the unit's nature allows one and it named one) → the 旗县 bureau (when the unit's
    上级人社主管部门 is at 旗县 level) → the 盟市 bureau. A 区直 unit (自治区人社厅) has no bureau step.
    Industry bureaus replacing the 人社局 for a series are resolved by route_for, which knows the series.
    """
    chain = [(ROLE_UNIT, org)]
    if org.supervisor_id and org.may_have_supervisor:
        chain.append((ROLE_SUPERVISOR, org.supervisor))
    hr = org.hr_agency
    if hr is not None and hr.level == "旗县":
        chain.append((ROLE_COUNTY, hr))
        city = city_bureau_of(hr)
        if city is not None:
            chain.append((ROLE_CITY, city))
    elif hr is not None and hr.level == "盟市":
        chain.append((ROLE_CITY, hr))
    return chain
