"""The report in headless Chromium (Debian's chromium and chromium-driver; ``make test-browser``
installs them): every image loads, the console stays clean, a screenshot is saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ablation_sql.cli import main
from ablation_sql.synthetic import generate_experiment

pytestmark = pytest.mark.browser

webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
# Headless, no sandbox (tests may run as root), and no background connections: the page must
# need no network at all.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000")


@pytest.fixture
def browser(tmp_path: Path):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are not installed (make test-browser)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_report_renders_with_every_image_and_no_console_error(browser, tmp_path: Path) -> None:
    generate_experiment(tmp_path / "exp <i>x", trials=30, epochs=5, seed=11, failed=2,
                        broken=2, running=1)
    site = tmp_path / "site"
    assert main(["report", str(tmp_path / "exp <i>x"), "--out", str(site), "--quiet",
                 "--workers", "1"]) == 0

    browser.get((site / "index.html").as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete,"
        " i.naturalWidth]);")
    assert len(images) == 24  # 18, the ablation's waterfall and 3 pairs, 2 rank-settling curves
    broken = [src for src, complete, width in images if not (complete and width > 0)]
    assert not broken, f"images that did not load: {broken}"
    assert browser.execute_script("return document.querySelectorAll('i').length") == 0
    headings = browser.execute_script(
        "return Array.from(document.querySelectorAll('h2')).map(h => h.textContent);")
    assert headings[0].startswith("Experiment exp <i>x")
    assert {"Top trials", "Attributes", "Learning curves", "Failed and skipped trials",
            "Search-space coverage"} <= set(headings)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors

    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1400, min(height, 12000))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
