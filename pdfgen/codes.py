"""编码: the short code printed on every page so a paper copy can be checked online.

A code is 16 characters of Crockford base32: 10 carry the record id, the form and the
form version, enciphered with a keyed Feistel network so they can be neither read nor
chosen without the secret; 6 carry an HMAC of those 10, so a forged or mistyped code
fails verification.  Printed as XXXX-XXXX-XXXX-XXXX; verify_code accepts either form.
"""

import hashlib
import hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FORMS = ("review", "submission", "blind")
_DECODE = {c: i for i, c in enumerate(ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})
_MAX_VERSION = (1 << 14) - 1
_MAX_RECORD = (1 << 32) - 1


def _key(secret):
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _round(key, i, half):
    digest = hmac.new(key, b"pdfgen-code-%d-%d" % (i, half), hashlib.sha256).digest()
    return int.from_bytes(digest[:3], "big")


def _encipher(key, value, decrypt=False):
    left, right = value >> 24, value & 0xFFFFFF
    rounds = range(4)
    if not decrypt:
        for i in rounds:
            left, right = right, left ^ _round(key, i, right)
    else:
        for i in reversed(rounds):
            left, right = right ^ _round(key, i, left), left
    return (left << 24) | right


def _b32(value, length):
    return "".join(ALPHABET[(value >> (5 * (length - 1 - i))) & 31] for i in range(length))


def _check(key, body):
    digest = hmac.new(key, b"pdfgen-check-" + body.encode(), hashlib.sha256).digest()
    return _b32(int.from_bytes(digest[:4], "big") >> 2, 6)


def form_code(record_id, form, version, secret):
    """Return the 16-character 编码 of one version of one form of a record."""
    if form not in _FORMS:
        raise ValueError(f"unknown form {form!r}")
    if not 0 <= int(record_id) <= _MAX_RECORD or not 0 <= int(version) <= _MAX_VERSION:
        raise ValueError("record_id or version out of range")
    key = _key(secret)
    payload = (_FORMS.index(form) << 46) | (int(version) << 32) | int(record_id)
    body = _b32(_encipher(key, payload), 10)
    return body + _check(key, body)


def pretty_code(code):
    """Return a code grouped in fours for printing."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def verify_code(code, secret):
    """Return (record_id, form, version) for a genuine code, else None."""
    if not isinstance(code, str):
        return None
    text = code.upper().replace("-", "").replace(" ", "")
    if len(text) != 16 or any(c not in _DECODE for c in text):
        return None
    text = "".join(ALPHABET[_DECODE[c]] for c in text)
    body, check = text[:10], text[10:]
    key = _key(secret)
    if not hmac.compare_digest(check, _check(key, body)):
        return None
    value = 0
    for c in body:
        value = (value << 5) | _DECODE[c]
    if value >> 48:
        return None
    payload = _encipher(key, value, decrypt=True)
    form_index = payload >> 46
    if form_index >= len(_FORMS):
        return None
    return payload & _MAX_RECORD, _FORMS[form_index], (payload >> 32) & _MAX_VERSION
