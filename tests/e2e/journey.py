"""What a person would notice on a journey: every request the page made, and a screenshot of each step."""

import re
from dataclasses import dataclass, field
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"
# WeChat's in-app browser on Android: Chromium with the MicroMessenger token (and no bookmarks).
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2154A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
    "(0x28002F35) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64"
)


@dataclass
class RequestLog:
    """Every request a page sends and the status it got, so a test can fail on any error or repeated POST."""

    entries: list = field(default_factory=list)

    def attach(self, page) -> "RequestLog":
        page.on(
            "response", lambda response: self.entries.append((response.request.method, response.url, response.status))
        )
        page.on("requestfailed", self._failed)
        return self

    def _failed(self, request) -> None:
        # A request the browser dropped because the page moved on (a form sent, a link followed: the icon of
        # the page being left, the console's presence ping) never reached anyone's eyes; anything else that
        # did not complete is a failure. A send the merchant made still shows in posts() and on the page.
        if request.failure == "net::ERR_ABORTED":
            return
        self.entries.append((request.method, request.url, -1))

    def clear(self) -> None:
        self.entries.clear()

    def failures(self) -> list:
        return [entry for entry in self.entries if entry[2] < 0 or entry[2] >= 400]

    def posts(self, path: str = "/tickets/") -> list:
        """POSTs that send a form under `path` (not the suggestions the page asks for while typing)."""
        return [entry for entry in self.entries if entry[0] == "POST" and path in entry[1]]


@dataclass
class ConsoleLog:
    """Errors the browser reported while a page ran: script exceptions and console errors, among them every
    script, style or image the Content-Security-Policy blocked ("Refused to …") and header complaints."""

    entries: list = field(default_factory=list)

    def attach(self, page) -> "ConsoleLog":
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.entries.append(f"uncaught: {error}"))
        return self

    def _console(self, message) -> None:
        # The site has a favicon (and /favicon.ico answers), so no error here is excused.
        if message.type == "error":
            self.entries.append(message.text)

    def errors(self) -> list:
        return list(self.entries)


class Shots:
    """Numbered screenshots of one journey in test-results/journeys/<journey>/ (the folder is gitignored)."""

    def __init__(self, name: str):
        self.folder = SHOTS / re.sub(r"[^\w.-]+", "-", name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, step: str, *, full_page: bool = False) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^\w.-]+', '-', step)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


def top_of(page, selector: str) -> float:
    """Distance in CSS pixels from the top of the page to the top of the element."""
    return page.eval_on_selector(selector, "el => el.getBoundingClientRect().top + window.scrollY")
