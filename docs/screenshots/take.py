"""Takes the README's pictures from a running recouvre with the demo portfolio (`make run`), in French,
at a tablet-and-up width, with Playwright driving Debian's Chromium.

    .venv/bin/python docs/screenshots/take.py [--base-url http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent


def shoot(page: Page, name: str, full_page: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(HERE / f"{name}.png"), full_page=full_page)
    print(f"docs/screenshots/{name}.png")


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("demo-recouvre-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        context = browser.new_context(
            base_url=args.base_url, locale="fr-FR", viewport={"width": 1280, "height": 860}
        )
        page = context.new_page()
        log_in(page, "manager@recouvre.fr")
        shoot(page, "today", full_page=True)
        page.goto("/debtors/?sort=-overdue")
        shoot(page, "debtors")
        page.locator("table a[href^='/debtors/']").first.click()
        shoot(page, "debtor", full_page=True)
        page.goto("/approvals/")
        shoot(page, "approvals")
        page.get_by_role("link", name=re.compile("Voir la lettre")).first.click()
        page.wait_for_timeout(1500)  # the PDF viewer draws the letter in its frame
        shoot(page, "approval-notice")
        page.goto("/scenarios/")
        page.locator("main table a").first.click()
        shoot(page, "scenario", full_page=True)
        page.goto("/templates/")
        page.locator("main table a").first.click()
        page.wait_for_timeout(1000)
        shoot(page, "template-editor")
        page.goto("/imports/")
        shoot(page, "imports")
        page.goto("/settings/")
        shoot(page, "settings")
        context.close()
        # The collector's day.
        context = browser.new_context(
            base_url=args.base_url, locale="fr-FR", viewport={"width": 1024, "height": 860}
        )
        page = context.new_page()
        log_in(page, "agent@recouvre.fr")
        page.goto("/worklist/")
        shoot(page, "worklist")
        page.get_by_role("button", name=re.compile("Commencer les appels")).click()
        shoot(page, "worklist-call", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
