import pytest

from portal.core import security
from portal.core.security import CREDIT_CODE_CHARSET, credit_code_error

PUBLISHED_CODES = ["914403001922038216", "91330100799655058B", "9144030071526726XG", "91110108551385082Q"]


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_real_published_codes_pass(code):
    assert credit_code_error(code) is None
    assert credit_code_error(code.lower()) is None  # normalised


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_every_single_character_mutation_fails(code):
    for i in range(18):
        for ch in CREDIT_CODE_CHARSET:
            if ch == code[i]:
                continue
            mutated = code[:i] + ch + code[i + 1 :]
            assert credit_code_error(mutated) is not None, mutated


@pytest.mark.parametrize(
    "code, words",
    [
        ("", "18位"),
        ("91440300192203821", "18位"),
        ("9144030019220382160", "18位"),
        ("91440300192203821I", "无效字符"),
        ("91440300192203821O", "无效字符"),
        ("914403001922038217", "校验位"),
    ],
)
def test_bad_codes_say_why(code, words):
    assert words in credit_code_error(code)


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("13805380001", True),
        ("138 0538 0001", True),
        ("0538-8221234", True),
        ("05388221234", True),
        ("010-12345678", True),
        ("12345678901", False),
        ("1380538000", False),
        ("abc", False),
        ("", False),
    ],
)
def test_phone(phone, ok):
    assert (security.phone_error(phone) is None) is ok


@pytest.mark.parametrize(
    "password, ok",
    [("Demo@2026", True), ("abcdefg1", True), ("short1", False), ("onlyletters", False), ("12345678", False)],
)
def test_password_rules(password, ok):
    assert (security.password_error(password) is None) is ok


def test_argon2_hash_and_verify():
    hashed = security.hash_password("Demo@2026")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password("Demo@2026", hashed) == (True, None)
    assert security.verify_password("demo@2026", hashed)[0] is False
    assert security.verify_password("x", None)[0] is False
    assert security.verify_password("x", "not-a-hash")[0] is False


def test_old_pbkdf2_hash_is_upgraded_on_verify():
    from passlib.hash import pbkdf2_sha256

    old = pbkdf2_sha256.hash("Demo@2026")
    ok, new_hash = security.verify_password("Demo@2026", old)
    assert ok and new_hash.startswith("$argon2id$")


def test_tokens_are_random_and_stored_as_sha256():
    a, b = security.new_session_token(), security.new_session_token()
    assert a != b and len(a) >= 40
    assert len(security.hash_token(a)) == 64 and security.hash_token(a) != a
