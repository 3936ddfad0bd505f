"""Benchmark: the rating inspector in Chromium, and agreement on a large rated set.

    python -m benchmarks.bench_inspector [--jobs 12]

Scores a small workspace (stand-in renderer, offline judge) of --jobs candidates of one
product. Then a
scripted rater rates --jobs jobs and as many pairs with the keyboard (one key per dimension,
Enter), timing each from the item on screen to the judge's scores shown: the inspector's own
latency, page and server and table write together; a person's deliberation comes on top. Last,
`agreement_report` on 2,000 jobs rated by 3 people.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from driver.agreement.evidence import Evidence
from driver.agreement.summary import agreement_report
from rubric.core.definition import load_rubric
from tests.support.compute_cli import vfscore
from tests.support.fast_workspace import RUN_ID, build, fake_blender
from tests.support.inspector import Inspector


def _browser(profile: Path) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1400,1600",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _visible(browser: Any, element_id: str) -> bool:
    return bool(browser.find_element(By.ID, element_id).is_displayed())


def rate_items(browser: Any, n: int, keys: list[str]) -> list[float]:
    """Seconds from an item on screen to the judge's scores shown, per item."""
    times = []
    for _ in range(n):
        WebDriverWait(browser, 20).until(lambda b: not _visible(b, "reveal"))
        if _visible(browser, "done"):
            break
        start = time.perf_counter()
        browser.find_element(By.ID, "progress").click()
        ActionChains(browser).send_keys(*keys, Keys.ENTER).perform()
        WebDriverWait(browser, 20).until(lambda b: _visible(b, "reveal"))
        times.append(time.perf_counter() - start)
        browser.find_element(By.ID, "next").click()
    return times


def bench_browser(ws: Path, n: int, profile: Path) -> None:
    with Inspector(ws, 0, "--rater", "bench") as app:
        browser = _browser(profile)
        try:
            browser.get(app.url)
            jobs = rate_items(browser, n, ["4", "3", "5", "2"])
            browser.find_element(By.ID, "mode-compare").click()
            left, same, right = Keys.ARROW_LEFT, "=", Keys.ARROW_RIGHT
            pairs = rate_items(browser, n, [left, same, right, left])
        except Exception:
            shot = Path(tempfile.gettempdir()) / "bench_inspector_failure.png"
            browser.save_screenshot(str(shot))
            print(f"the page at the failure: {shot}")
            raise
        finally:
            browser.quit()
    for what, times in (("job", jobs), ("pair", pairs)):
        if times:
            print(f"rate one {what}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms over {len(times)}")  # fmt: skip


def bench_agreement(n_jobs: int = 2000, raters: int = 3) -> None:
    rubric = load_rubric()
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 101, n_jobs)
    ratings, judged = [], {}
    for i, score in enumerate(truth):
        for r in range(raters):
            level = int(np.clip(np.ceil(score / 20) + rng.integers(-1, 2), 1, 5))
            ratings.append({"run_id": "R", "job_id": f"j{i}", "rater": f"r{r}",
                            **{f"r_{d}": str(level) for d in rubric.names}})  # fmt: skip
        judged[("R", f"j{i}")] = {
            "overall": float(score), "scores_all": [], "subscores_all": [],
            "dimensions": dict.fromkeys(rubric.names, float(score)),
        }  # fmt: skip
    groups = {("R", f"j{i}"): f"p{i // 3}/" for i in range(n_jobs)}
    ev = Evidence(rubric.names, rubric.weights, ratings, [], groups, {"J": judged})
    start = time.perf_counter()
    report = agreement_report(ev)
    rho = report["judges"]["J"]["overall"]["spearman"]
    print(f"agreement on {n_jobs} jobs x {raters} raters: {time.perf_counter() - start:.1f} s "
          f"(overall rho {rho['value']} [{rho['low']}, {rho['high']}])")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VFSCORE_BLENDER"] = str(fake_blender(Path(tmp)))
        ws = build(Path(tmp) / "ws", n_jobs=args.jobs)
        assert vfscore(ws).returncode == 0, "scoring the bench workspace failed"
        print(f"scored {args.jobs} jobs of run {RUN_ID}")
        bench_browser(ws, args.jobs, Path(tmp) / "profile")
    bench_agreement()


if __name__ == "__main__":
    main()
