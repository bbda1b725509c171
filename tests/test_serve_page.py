"""The follow-along page in a real browser: Debian's chromium, headless, at a phone's size.

A screenshot is kept in ``artifacts/serve-page.png`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from repcue.serve.episodes import Episode
from serve_support import running, small_episodes

webdriver = pytest.importorskip("selenium.webdriver")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
PHONE = (390, 844)
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="needs Debian's chromium and chromium-driver (scripts/setup --test)"),
]


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> list[Episode]:
    return small_episodes(tmp_path_factory.mktemp("episodes"))


@pytest.fixture(scope="module")
def root(episodes: list[Episode]) -> Iterator[str]:
    with running(episodes) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--mute-audio", "--autoplay-policy=no-user-gesture-required",
                 f"--window-size={PHONE[0]},{PHONE[1]}",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    # Headless windows are at least 500 px wide; a phone's viewport comes from emulation.
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {
        "width": PHONE[0], "height": PHONE[1], "pixelRatio": 2.0, "touch": True}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(60)
    # The browser's own start-up tab (chrome://new-tab-page…) fails offline; not the page's.
    driver.get("about:blank")
    network_errors(driver)
    try:
        yield driver
    finally:
        driver.quit()


def _shows(browser: Any, element: str, text: str) -> Callable[[], bool]:
    return lambda: bool(browser.find_element("id", element).text == text)


def _near(browser: Any, script: str, expected: float) -> Callable[[], bool]:
    return lambda: bool(abs(js(browser, script) - expected) < 0.05)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 45) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def network_errors(driver: Any) -> list[str]:
    """Failed loads and 4xx/5xx answers since the last call (media requests the player
    cancels itself, as it does when it seeks, are not errors)."""
    errors = []
    urls: dict[str, str] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
            url = urls.get(params["requestId"], "?")
            errors.append(f"failed: {params.get('errorText')} {url} ({params.get('type')})")
        elif message["method"] == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                errors.append(f"{response['status']} {response['url']}")
    errors += [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return errors


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    cues = []
    pattern = re.compile(r"(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})\n(.+)")
    for match in pattern.finditer(path.read_text(encoding="utf-8")):
        g = [int(x) for x in match.groups()[:8]]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        cues.append((start, end, match.group(9)))
    return cues


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def test_the_list_shows_every_workout_with_its_picture(browser: Any, root: str,
                                                        episodes: list[Episode]) -> None:
    browser.get(root)
    titles = [e.text for e in browser.find_elements("css selector", ".card h2")]
    assert titles == [e.title for e in episodes]
    wait_for(lambda: js(browser, "return Array.from(document.images).every("
                                 "i => i.complete && i.naturalWidth > 0)"), "the pictures")
    assert root + "feed.xml" in browser.find_element("id", "feed-url").text
    assert network_errors(browser) == []


def test_the_workout_page_follows_the_audio(browser: Any, root: str,
                                            episodes: list[Episode]) -> None:
    episode = episodes[1]
    browser.get(f"{root}w/{episode.slug}/")
    audio = "document.getElementById('player')"
    wait_for(lambda: js(browser, f"return {audio}.readyState >= 1"), "the audio's metadata")

    # It plays (muted, autoplay allowed by the flag) and time moves.
    assert js(browser, f"return {audio}.play().then(() => 'ok', e => String(e))") == "ok"
    wait_for(lambda: js(browser, f"return !{audio}.paused && {audio}.currentTime > 0.3"),
             "playback")
    js(browser, f"{audio}.pause()")

    # Seeking shows the cue the .vtt has at that time.
    cues = vtt_cues(episode.transcript)
    for start, end, text in (cues[4], cues[len(cues) // 2], cues[-2]):
        js(browser, f"{audio}.currentTime = arguments[0]", (start + end) / 2)
        wait_for(_shows(browser, "cue", text), f"the cue {text!r}")

    # In a gap between cues the last cue said stays on screen, dimmed.
    gap = next((a[1], b[0], a[2]) for a, b in zip(cues, cues[1:], strict=False)
               if b[0] - a[1] > 1.0)
    js(browser, f"{audio}.currentTime = arguments[0]", (gap[0] + gap[1]) / 2)
    wait_for(lambda: browser.find_element("id", "cue").text == gap[2] and "past" in
             browser.find_element("id", "cue").get_attribute("class"), "the last cue, dimmed")

    # Next set lands on the next set's chapter, twice; previous set goes back.
    sets = [c.start_ms / 1000 for c in episode.chapters if c.level == 1]
    js(browser, f"{audio}.currentTime = 0")
    for expected in sets[:2]:
        browser.find_element("id", "next-set").click()
        wait_for(_near(browser, f"return {audio}.currentTime", expected),
                 f"the set at {expected} s")
    assert "set 1" in browser.find_element("id", "where").text
    js(browser, f"{audio}.currentTime = arguments[0]", sets[1] + 5)
    browser.find_element("id", "prev-set").click()
    wait_for(lambda: abs(js(browser, f"return {audio}.currentTime") - sets[1]) < 0.05,
             "the start of the current set")
    assert js(browser, "return document.querySelector('#chapters .current button')"
                       ".dataset.start") == str(sets[1])

    # The lock screen and earbud buttons: Media Session metadata and handlers.
    actions = js(browser, "return document.body.dataset.mediaActions").split()
    assert {"play", "pause", "previoustrack", "nexttrack", "seekto"} <= set(actions)
    assert js(browser, "return navigator.mediaSession.metadata.title") == episode.title

    # The playhead sits over the picture where the audio is.
    assert js(browser, "return document.querySelector('.playhead')"
                       ".getAttribute('visibility')") == "visible"
    download = browser.find_element("id", "download")
    assert download.get_attribute("href") == f"{root}media/{episode.slug}.mp3"

    js(browser, f"{audio}.currentTime = arguments[0]", sets[1] + 3)
    wait_for(lambda: browser.find_element("id", "cue").text, "a cue on screen")
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "serve-page.png"))
    assert network_errors(browser) == []
    assert js(browser, "return window.innerWidth") == PHONE[0]
    assert js(browser, "return document.documentElement.scrollWidth") <= PHONE[0]
