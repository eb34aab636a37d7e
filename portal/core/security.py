"""Passwords, session tokens and the identity checks shared by registration and admin forms."""

from __future__ import annotations

import hashlib
import re
import secrets
import string

from passlib.context import CryptContext

# DESIGN §9: passlib 1.7.4 breaks with bcrypt 5, so argon2 first, pbkdf2 only to read old hashes.
_pwd_context = CryptContext(
    schemes=["argon2", "pbkdf2_sha256"],
    deprecated="auto",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# A hash of a random password, verified when the username is unknown so that a miss costs the same
# time as a hit and timing does not tell which usernames exist.
_DUMMY_HASH = _pwd_context.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _pwd_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(ok, new_hash): new_hash is set when the stored hash uses old parameters and should be replaced."""
    if not password_hash:
        _pwd_context.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _pwd_context.verify_and_update(password, password_hash)
    except (ValueError, TypeError):
        return False, None


def new_session_token() -> str:
    """256 bits from the OS generator; the client keeps it, the database keeps only its hash."""
    return secrets.token_urlsafe(32)


def generate_password() -> str:
    """20 characters from the OS generator, with a letter and a digit so that it passes password_error."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(20))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ── 统一社会信用代码 (GB 32100-2015) ─────────────────────────────────────────────────────────

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_credit_code(raw: str) -> str:
    return (raw or "").strip().upper()


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_error(raw: str) -> str | None:
    """None when valid, else a Chinese message saying what is wrong."""
    code = normalise_credit_code(raw)
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    bad = [ch for ch in code if ch not in CREDIT_CODE_CHARSET]
    if bad:
        return f"统一社会信用代码含有无效字符“{bad[0]}”(不使用I、O、Z、S、V)"
    if not code[8:17].isalnum():
        return "统一社会信用代码格式不正确"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确,请核对后重新输入"
    return None


# ── other field checks ──────────────────────────────────────────────────────────────────────

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")


def normalise_phone(raw: str) -> str:
    return re.sub(r"[\s()()]", "", raw or "")


def phone_error(raw: str) -> str | None:
    phone = normalise_phone(raw)
    if not phone:
        return "请填写联系电话"
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return None
    return "联系电话应为11位手机号或带区号的固定电话(如0538-8221234)"


def username_error(raw: str) -> str | None:
    if not raw:
        return "请填写用户名"
    if not _USERNAME.match(raw):
        return "用户名为4–30位字母、数字或下划线,以字母开头"
    return None


def password_error(raw: str) -> str | None:
    if not raw or len(raw) < 8:
        return "密码至少8位"
    if len(raw) > 128:
        return "密码不能超过128位"
    if not re.search(r"[A-Za-z]", raw) or not re.search(r"\d", raw):
        return "密码须同时包含字母和数字"
    return None
