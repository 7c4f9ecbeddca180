"""The console in a real browser: Debian's chromium driven by Playwright (from PyPI; its own browser
download is not used), one browser and one console server for the module, against the e2e
session's bare stack with a runner of our own whose offline creator takes long enough to watch."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from contenthub_cli.client import Client
from contenthub_console.server import ConsoleServer
from tests.e2e.conftest import Receiver, RunningStack, runner_process

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CONTENTHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DEPLOYED_CONTROLS = {"generation_enabled": True, "max_concurrent_tasks": 5, "runner_slots": 5}


@pytest.fixture(scope="module")
def console_stack(bare_stack: RunningStack, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[RunningStack]:  # fmt: skip
    """bare_stack with one runner (4 s per article: progress can be watched, a task cancelled while
    it runs), account 49's webhook going to the test receiver."""
    log = tmp_path_factory.mktemp("console-runner") / "runner.log"
    runner = runner_process(bare_stack, log, OFFLINE_CREATOR_DURATION="4")
    response = requests.patch(f"{bare_stack.api_url}/accounts/49", json={"webhook_url": receiver.url}, timeout=10)
    assert response.status_code == 200, response.text
    try:
        yield bare_stack
    finally:
        requests.put(f"{bare_stack.api_url}/controls", json=DEPLOYED_CONTROLS, timeout=10)
        requests.patch(f"{bare_stack.api_url}/accounts/49", json={"webhook_url": None}, timeout=10)
        runner.terminate()
        runner.wait(30)


@pytest.fixture(scope="module")
def console(console_stack: RunningStack) -> Iterator[ConsoleServer]:
    server = ConsoleServer(Client(console_stack.api_url, retries=1), port=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        # Not a skip: a browser test that did not run must not pass (make test installs it).
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Page:
    """A browser tab on the console: every dialog (the console's confirmations) is accepted and
    recorded, and a Content-Security-Policy violation fails the test."""

    def __init__(self, tab: Any, base: str) -> None:
        self.tab, self.base = tab, base
        self.dialogs: list[str] = []
        self.csp_violations: list[str] = []
        self.navigations = 0
        tab.on("dialog", self._dialog)
        tab.on("console", lambda m: "Content Security Policy" in m.text and self.csp_violations.append(m.text))
        tab.on("framenavigated", lambda frame: frame == tab.main_frame and self._navigated())

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def _navigated(self) -> None:
        self.navigations += 1

    def open(self, path: str) -> Any:
        self.tab.goto(self.base + path)
        return self.tab

    def shot(self, name: str) -> None:
        """docs/screenshots/NAME.png for the README: written when missing, or when
        CONTENTHUB_SCREENSHOTS=1 asks for fresh ones."""
        target = SCREENSHOTS / f"{name}.png"
        if os.environ.get("CONTENTHUB_SCREENSHOTS") == "1" or not target.exists():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.tab.screenshot(path=str(target), full_page=True)


@pytest.fixture
def page(browser: Any, console: ConsoleServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    wrapped = Page(tab, console.url)
    yield wrapped
    context.close()
    assert not wrapped.csp_violations, wrapped.csp_violations
