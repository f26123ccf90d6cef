"""The portal's browser tests use the back office's browser fixtures (Playwright + Debian's Chromium)."""

from recouvre.backoffice.tests.browser.conftest import browser, page, pytest_collection_modifyitems

__all__ = ["browser", "page", "pytest_collection_modifyitems"]
