"""Browser tests: the web console in a real headless Chromium, driven by Playwright.

They need Playwright's Python package (``pip install -e '.[dev]'``) and a Chromium binary: Debian's
``/usr/bin/chromium`` (``.ci/run`` installs it with apt), or the one ``STEPFN_CHROMIUM`` names.
Playwright's own browser download is never used. Without either, the tests are skipped and the
reason says which is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    named = os.environ.get("STEPFN_CHROMIUM")
    for candidate in (named, "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright's Python package: pip install -e '.[dev]'")
    expect.set_options(timeout=10_000)  # auto-waiting assertions: generous on a busy 2-core machine
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "browser tests need Chromium: apt-get install -y chromium (or set STEPFN_CHROMIUM to a "
            "Chromium binary)"
        )
    with sync_playwright() as playwright:
        try:
            # Playwright starts Chromium with a fresh, empty profile of its own (--user-data-dir)
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except Exception as err:  # a Chromium that cannot start here: say so, do not fail
            pytest.skip(f"Chromium at {executable} did not start: {err}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page that records dialogs (an XSS would open one) in ``page.dialogs``, and script
    errors and console errors (a Content-Security-Policy violation is one) in ``page.errors``."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dialogs = []
    page.errors = []

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda err: page.errors.append(str(err)))

    def on_console(message: Any) -> None:
        # an action the server refused (HTTP 4xx, shown on the page) is logged as a failed load
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.errors.append(message.text)

    page.on("console", on_console)
    try:
        yield page
    finally:
        context.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot to docs/screenshots/ when STEPFN_SCREENSHOTS=1 (for the docs)."""
    if os.environ.get("STEPFN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
