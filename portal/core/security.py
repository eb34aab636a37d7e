"""Passwords, session tokens and the identity checks shared by registration and admin forms."""

from __future__ import annotations

import hashlib
import re
import secrets
import string

from passlib.context import CryptContext
from zxcvbn import zxcvbn

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


def is_mobile(raw: str) -> bool:
    """Whether a phone number can receive a text message (a mainland mobile number)."""
    return bool(_MOBILE.match(normalise_phone(raw)))


# An address a mail server will take: one @, a dotted domain, no spaces or quotes (not the whole RFC 5322).
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$")


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def email_error(raw: str) -> str | None:
    """``None`` for a usable address or an empty one (e-mail is optional)."""
    email = normalise_email(raw)
    if email and (len(email) > 100 or not _EMAIL.match(email)):
        return "电子邮箱格式不正确,例如 name@example.com"
    return None


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


# ── password strength (issue #20): every password a person chooses; seeding and generated ones skip it ──

PASSWORD_RULES = (
    "8–128位,须同时含字母和数字;不能包含用户名;不能是常用密码或其变形,避免键盘上相邻的按键、重复或连续的字符、"
    "年份和日期。建议用三四个不相关的词,以符号相连再加上数字。"
)
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; characters beyond only make a password stronger
_WEAKNESSES = {
    "passwords": "与常用密码相同或相近(如 Passw0rd、abcd1234)",
    "user_inputs": "含有用户名",
    "english_wikipedia": "主要由常见英文单词组成",
    "us_tv_and_film": "主要由常见英文单词组成",
    "female_names": "主要由常见人名或姓氏组成",
    "male_names": "主要由常见人名或姓氏组成",
    "surnames": "主要由常见人名或姓氏组成",
    "spatial": "含有键盘上相邻的按键(如 qwerty、1qaz)",
    "repeat": "含有重复的字符(如 aaa、abcabc)",
    "sequence": "含有连续的字符(如 abc、6543)",
    "regex": "含有年份或日期",
    "date": "含有年份或日期",
}


def password_strength_error(raw: str, username: str = "") -> str | None:
    """None when ``raw`` may be chosen as a password: the basic rules, no username inside, and a zxcvbn
    score of at least 3 (its frequency lists ship with the package); else a Chinese message naming why."""
    if err := password_error(raw):
        return err
    name = (username or "").strip().lower()
    if name and name in raw.lower():
        return "密码不能包含用户名"
    result = zxcvbn(raw[:_ZXCVBN_MAX], user_inputs=[name] if name else [])
    if result["score"] >= 3:
        return None
    reasons: list[str] = []
    for match in result["sequence"]:
        reason = _WEAKNESSES.get(match.get("dictionary_name") or match["pattern"])
        if reason and reason not in reasons:
            reasons.append(reason)
    return f"密码太容易被猜到:{';'.join(reasons) or '太短或规律太明显'}。请加长,并混用几个不相关的词、数字和符号"
