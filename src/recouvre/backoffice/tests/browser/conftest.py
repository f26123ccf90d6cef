"""Browser tests of the back office. The browser and page fixtures come from recouvre.testing.browser
(a plugin of the root conftest); the README's pictures are taken from the demo by
docs/screenshots/take.py, with the same browser."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct-horse-42"


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    # By the labels a person reads: a field without its label would fail here.
    page.goto("/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
