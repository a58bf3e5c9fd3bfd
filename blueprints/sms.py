"""The pluggable SMS sender of 「忘记密码」, and the verification codes with their expiry and rate limits.

`SMS_SENDER` in the app config picks the sender: "log" (default: the code goes to the app log and to
`LogSender.sent`, which tests read) or "package.module:Class" for a real gateway with the same `send()`.
Codes and counters live in the DB (SmsCode, RateLimit), so every worker shares them.
"""
import hashlib
import hmac
import importlib
import secrets
from datetime import timedelta

from flask import current_app

from models import RateLimit, SmsCode, now, write_tx

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
# (key prefix, window, max sends in it): at most one code a minute and ten a day per phone.
SEND_LIMITS = (("sms-minute", timedelta(minutes=1), 1), ("sms-day", timedelta(days=1), 10))


class LogSender:
    """Development and test sender: writes the message to the app log and keeps it in `sent`."""

    def __init__(self, keep=50):
        self.sent = []
        self.keep = keep

    def send(self, phone, text):
        """Log the message instead of sending it."""
        current_app.logger.warning("SMS to %s: %s", phone, text)
        self.sent.append((phone, text))
        del self.sent[:-self.keep]

    def last_code(self, phone=None):
        """The digits of the last code sent (to `phone` when given); None when nothing was sent."""
        for to, text in reversed(self.sent):
            if phone is None or to == phone:
                return "".join(c for c in text.split("验证码")[1] if c.isdigit())[:6]
        return None


def get_sender(app=None):
    """The sender of this app, built once from `SMS_SENDER`."""
    app = app or current_app
    sender = app.extensions.get("sms_sender")
    if sender is None:
        choice = app.config.get("SMS_SENDER", "log")
        if choice == "log":
            sender = LogSender()
        else:
            module, _, name = choice.partition(":")
            sender = getattr(importlib.import_module(module), name)()
        app.extensions["sms_sender"] = sender
    return sender


class SmsError(Exception):
    """A code that cannot be sent or accepted now; the message is shown to the user."""


def _hash(phone, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _window(at, size):
    """The start of the fixed window of `size` that holds `at`."""
    seconds = int(size.total_seconds())
    epoch = int(at.timestamp())
    return at.fromtimestamp(epoch - epoch % seconds)


def _count(key, at, size):
    """Add one to the counter of `key` in its window and return the new count."""
    start = _window(at, size)
    changed = (RateLimit.update(count=RateLimit.count + 1)
               .where((RateLimit.key == key) & (RateLimit.window_start == start)).execute())
    if not changed:
        RateLimit.create(key=key, window_start=start, count=1)
        return 1
    return RateLimit.get((RateLimit.key == key) & (RateLimit.window_start == start)).count


def send_code(phone, purpose="reset"):
    """Create a code for `phone`, send it, and return when it expires; SmsError when rate-limited."""
    at = now()
    code = f"{secrets.randbelow(10**6):06d}"
    with write_tx():
        for prefix, size, limit in SEND_LIMITS:
            if _count(f"{prefix}:{phone}", at, size) > limit:
                if size <= timedelta(minutes=1):
                    raise SmsError("验证码发送过于频繁,请1分钟后再试")
                raise SmsError("今日验证码发送次数已达上限,请明天再试,或联系工作单位在「行业汇总展示」中初始化密码")
        # A new code replaces the older ones.
        SmsCode.update(used=True).where((SmsCode.phone == phone) & (SmsCode.purpose == purpose)
                                        & (SmsCode.used == False)).execute()  # noqa: E712
        expires = at + timedelta(minutes=CODE_MINUTES)
        SmsCode.create(phone=phone, purpose=purpose, code_hash=_hash(phone, code), created_at=at,
                       expires_at=expires)
    get_sender().send(phone, f"【职称申报审核系统】您的验证码{code},{CODE_MINUTES}分钟内有效,用于重置人才库登录密码。"
                             "如非本人操作,请忽略本短信。")
    return expires


def check_code(phone, code, purpose="reset"):
    """Use up the code of `phone` if `code` is right and fresh; SmsError with the reason otherwise."""
    at = now()
    problem = None
    # The failed attempt must be counted even though the caller is refused, so the error is raised
    # only after the transaction committed.
    with write_tx():
        row = (SmsCode.select().where((SmsCode.phone == phone) & (SmsCode.purpose == purpose)
                                      & (SmsCode.used == False))  # noqa: E712
               .order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).first())
        if row is None:
            problem = "请先获取验证码"
        elif row.expires_at < at:
            problem = "验证码已过期,请重新获取"
        elif row.attempts >= MAX_ATTEMPTS:
            problem = "验证码错误次数过多,请重新获取"
        elif not hmac.compare_digest(row.code_hash, _hash(phone, (code or "").strip())):
            SmsCode.update(attempts=SmsCode.attempts + 1).where(SmsCode.id == row.id).execute()
            left = MAX_ATTEMPTS - row.attempts - 1
            problem = f"验证码不正确,还可尝试{left}次" if left else "验证码错误次数过多,请重新获取"
        else:
            SmsCode.update(used=True).where(SmsCode.id == row.id).execute()
    if problem:
        raise SmsError(problem)


def allow(key, size, limit):
    """Count one use of `key` in its window; False once more than `limit` uses happened in it."""
    with write_tx():
        return _count(key, now(), size) <= limit
