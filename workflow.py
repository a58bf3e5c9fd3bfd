"""The only module that changes an application's status: routes, transitions and seals.

Every transition is a conditional UPDATE on the record's version inside a write transaction, with its
audit event in the same transaction, so two reviewers acting at once leave exactly one outcome.
"""
from models import Application, AuditEvent, now, write_tx

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
