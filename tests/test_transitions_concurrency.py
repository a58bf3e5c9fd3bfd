"""Races with real threads (SQLite and PostgreSQL): exactly one outcome, a clear message for every loser."""
import threading

import pytest

import models
import workflow
from tests.test_review_factory import account_of, make_submitted, reload
from tests.test_transitions import GOOD, bring_to


def race(app, attempts):
    """Run each (record, action, role, reason) in its own thread at the same moment; (wins, errors)."""
    barrier = threading.Barrier(len(attempts))
    wins, errors = [], []
    lock = threading.Lock()

    def run(record, action, role, reason):
        models.db.connect(reuse_if_open=True)
        try:
            with app.app_context():
                account = account_of(role, record)
                barrier.wait()
                try:
                    result = workflow.advance(record, action, account, role, reason=reason, tally=GOOD)
                    with lock:
                        wins.append((action, role, result.status))
                except workflow.TransitionError as error:
                    with lock:
                        errors.append(str(error))
        finally:
            models.db.close()

    threads = [threading.Thread(target=run, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return wins, errors


def _messages_are_clear(errors):
    assert errors and all(message in (workflow.STALE, workflow.NOT_YOURS) for message in errors), errors


def test_eight_approvals_at_once_leave_one(app):
    with app.app_context():
        record = make_submitted()
    wins, errors = race(app, [(record, "审核通过", "工作单位", "同意")] * 8)
    assert len(wins) == 1 and len(errors) == 7
    _messages_are_clear(errors)
    assert reload(record).status == "工作单位待签章" and reload(record).version == record.version + 1
    assert models.AuditEvent.select().where((models.AuditEvent.application == record)
                                            & (models.AuditEvent.action == "审核通过")).count() == 1


def test_force_reject_racing_the_next_units_approval(app):
    with app.app_context():
        record = bring_to(make_submitted(), "主管单位审核中")
    attempts = [(record, "强制驳回", "工作单位", "主管单位选错"), (record, "审核通过", "主管单位", "同意")] * 3
    wins, errors = race(app, attempts)
    assert len(wins) == 1, wins
    _messages_are_clear(errors)
    final = reload(record)
    assert final.status == wins[0][2]
    assert final.status in ("工作单位强制驳回", "主管单位待签章")
    events = models.AuditEvent.select().where((models.AuditEvent.application == record)
                                              & (models.AuditEvent.action.in_(("强制驳回", "审核通过")))
                                              & (models.AuditEvent.role != "工作单位") | (
                                                  (models.AuditEvent.application == record)
                                                  & (models.AuditEvent.action == "强制驳回")))
    assert events.count() == 1


def test_two_seals_at_once_store_one_new_version(app):
    with app.app_context():
        record = bring_to(make_submitted(), "工作单位待签章")
    wins, errors = race(app, [(record, "签章", "工作单位", ""), (record, "签章", "工作单位", ""),
                              (record, "签章前退回", "工作单位", "材料有误")])
    assert len(wins) == 1
    _messages_are_clear(errors)
    versions = [f.version for f in models.FormFile.select().where(models.FormFile.application == record)]
    assert sorted(versions) == ([1, 1, 2, 2] if wins[0][0] == "签章" else [1, 1])


@pytest.mark.parametrize("actions", [("审核通过", "审核不通过")])
def test_committee_decisions_at_once(app, actions):
    with app.app_context():
        record = bring_to(make_submitted(), "评委会审核中")
    wins, errors = race(app, [(record, "审核通过", "评委会", "同意"), (record, "审核通过", "评委会", "同意"),
                              (record, "审核通过", "评委会", "同意")])
    assert len(wins) == 1 and reload(record).status == "审核通过"
    _messages_are_clear(errors)
