"""Hashing cost: cheap in this test suite, the library's recommended cost everywhere else."""

import subprocess
import sys

from argon2 import extract_parameters, profiles

from palace.services.accounts import passwords


async def test_the_suite_hashes_cheaply() -> None:
    hashed = await passwords.hash_password("lotus-pond-42")
    assert extract_parameters(hashed) == profiles.CHEAPEST
    assert await passwords.verify_password(hashed, "lotus-pond-42")


def test_palace_itself_hashes_at_full_cost() -> None:
    code = (
        "import asyncio, argon2; from palace.services.accounts import passwords; "
        "print(argon2.extract_parameters(asyncio.run(passwords.hash_password('lotus-pond-42')))"
        ".memory_cost)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(done.stdout) == profiles.RFC_9106_LOW_MEMORY.memory_cost
