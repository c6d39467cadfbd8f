"""Generate ``data/breached-passwords.sha1``: hashes of frequently breached passwords.

Usage: ``python -m accounts.breached_list`` (writes the file). The passwords are
built from the shapes that dominate breach corpora: a common word or name, a
capital, a year or a digit run, an exclamation mark; keyboard walks; runs of
digits; short phrases. Only those of 12 characters or more are kept, since
shorter ones are refused by the minimum length anyway.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "data" / "breached-passwords.sha1"
MIN_LENGTH = 12

WORDS_TEXT = """
password passw0rd p@ssword p@ssw0rd welcome letmein qwerty football baseball
basketball monkey dragon sunshine iloveyou princess admin administrator master
shadow superman batman starwars trustno1 whatever freedom summer winter spring
autumn january february march april june july august september october november
december monday friday liverpool chelsea arsenal manchester manchesterunited
tottenham everton newcastle leeds celtic rangers london england scotland wales
ireland britain charlie jessica michael jennifer thomas hannah daniel matthew
jordan harley ashley michelle nicole computer internet changeme secret access
hello1 lovely loveme mustang cheese chocolate flower butterfly pokemon minecraft
fortnite google facebook office office365 microsoft windows company business
caseload support service helpdesk security qwertyuiop asdfghjkl zxcvbnm
abc123 abcdef iloveu family friends forever blessed jesus heaven angel
"""
WORDS = WORDS_TEXT.split()

SUFFIXES = [
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "123!",
    "1234!",
    "!",
    "1!",
    "01",
    "007",
    "69",
    "99",
    "100",
    "111",
    "2000",
    "!!",
    "@123",
    "#1",
    *[str(year) for year in range(1960, 2031)],
    *[f"{year}!" for year in range(2000, 2031)],
    *[f"@{year}" for year in range(2015, 2031)],
]

KEYBOARD = [
    "qwertyuiop",
    "qwertyuiop123",
    "qwertyuiop[]",
    "1qaz2wsx3edc",
    "1qaz2wsx3edc4rfv",
    "zaq12wsxcde3",
    "zaq1zaq1zaq1",
    "qazwsxedcrfv",
    "qazwsxedc123",
    "asdfghjkl123",
    "asdfghjkl;'",
    "zxcvbnm12345",
    "1q2w3e4r5t6y",
    "1q2w3e4r5t6y7u",
    "q1w2e3r4t5y6",
    "!qaz@wsx#edc",
    "1234qwerasdf",
    "qwer1234asdf",
    "qwerty123456",
    "123456qwerty",
    "123qweasdzxc",
    "qweasdzxc123",
    "poiuytrewq123",
    "mnbvcxz12345",
]

PHRASES = [
    "iloveyouforever",
    "letmeinplease",
    "changemenow123",
    "passwordpassword",
    "password1234567",
    "thisismypassword",
    "mypasswordis123",
    "correcthorsebatterystaple",
    "correct horse battery staple",
    "trustnoone123",
    "ihateyou1234",
    "whateverittakes",
    "welcometothejungle",
    "happybirthday1",
    "liverpoolfc1892",
    "manchesterunited1",
    "opensesame123",
    "administrator1",
    "administrator123",
    "baseball12345",
    "football12345",
    "superman12345",
]


def candidates() -> set[str]:
    found: set[str] = set(KEYBOARD) | set(PHRASES)
    for word, suffix in itertools.product(WORDS, SUFFIXES):
        found.add(word + suffix)
    for word in WORDS:
        found.add(word * 2)
        found.add(word + word[::-1])
    for length in range(MIN_LENGTH, 21):
        found.add("".join(str((i + 1) % 10) for i in range(length)))  # 1234567890123...
        found.add("".join(str(9 - i % 10) for i in range(length)))  # 9876543210987...
        for digit in "0123456789":
            found.add(digit * length)
    return {password.lower() for password in found if len(password) >= MIN_LENGTH}


def main() -> None:
    hashes = sorted(
        hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()
        for password in candidates()
    )
    TARGET.write_text("\n".join(hashes) + "\n")
    print(f"Wrote {len(hashes)} hashes to {TARGET}")


if __name__ == "__main__":
    main()
