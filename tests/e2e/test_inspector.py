"""The rating inspector (`vfscore rate`) as people use it: real Chromium against the real server
process, and real HTTP for what a browser would not send (other origins, bad values)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from driver.agreement.store import current, read_ratings
from tests.support.fast_workspace import RUN_ID, job_id
from tests.support.inspector import Inspector

DIMS = ["color_palette", "finish", "texture_identity", "texture_scale_placement"]
NOTE = "<script>window.pwned = 1</script> & <b>bold</b>"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def ws(scored: Path, tmp_path: Path) -> Path:
    """A fresh copy of the scored workspace (stored paths are relative, so a copy works)."""
    return Path(shutil.copytree(scored, tmp_path / "ws"))


@pytest.fixture
def app(ws: Path) -> Iterator[Inspector]:
    with Inspector(ws) as running:
        yield running


def ratings(ws: Path) -> list[dict[str, Any]]:
    return [dict(r) for r in current(read_ratings(ws / "tables" / "vfscore_ratings.csv"))]


def pairs(ws: Path) -> list[dict[str, Any]]:
    return [dict(r) for r in current(read_ratings(ws / "tables" / "vfscore_pairs.csv"))]


def post(app: Inspector, path: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(app.url + path.lstrip("/"), json=body, headers=headers, timeout=30)


def get(app: Inspector, path: str, **params: str) -> Any:
    response = requests.get(app.url + path.lstrip("/"), params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


# --- in Chromium -----------------------------------------------------------------------------


def _wait(browser: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _by_id(browser: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, element_id)


def _name_myself(browser: Any, app: Inspector, name: str) -> str:
    from selenium.webdriver.common.keys import Keys

    browser.get(app.url)
    _wait(browser, lambda b: _by_id(b, "rater-input").is_displayed())
    _by_id(browser, "rater-input").send_keys(name + Keys.ENTER)
    return str(_wait(browser, lambda b: _by_id(b, "job-id").text))


def _keys(browser: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


def test_rate_two_jobs_blind_with_keyboard_and_mouse_then_reload(
    ws: Path, app: Inspector, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    first = _name_myself(browser, app, "Ana")
    assert not _by_id(browser, "reveal").is_displayed()
    assert "offline:" not in browser.page_source  # the judge's scores are not on the page
    _by_id(browser, "progress").click()  # focus leaves the name field
    _keys(browser, "4", "3", "5", "2")  # one key per dimension, in the rubric's order
    _by_id(browser, "note").send_keys(NOTE)
    _by_id(browser, "submit").click()
    _wait(browser, lambda b: _by_id(b, "reveal").is_displayed())
    reveal = _by_id(browser, "reveal").text
    assert "offline:appearance" in reveal and _by_id(browser, "my-note").text == NOTE
    assert browser.execute_script("return window.pwned") is None  # the note stayed text
    assert "1 rated of 4" in _by_id(browser, "progress").text

    _by_id(browser, "next").click()
    second = _wait(browser, lambda b: (t := _by_id(b, "job-id").text) != first and t)
    assert not _by_id(browser, "reveal").is_displayed()
    for dim, value in zip(DIMS, ["1", "2", "3", "4"], strict=True):
        browser.find_element(By.CSS_SELECTOR, f'input[name="{dim}"][value="{value}"]').click()
    _keys(browser, Keys.ENTER)
    _wait(browser, lambda b: _by_id(b, "reveal").is_displayed())

    browser.refresh()  # the page forgets nothing: the tables hold it
    _wait(browser, lambda b: "2 rated of 4" in _by_id(b, "progress").text)
    third = _by_id(browser, "job-id").text
    assert third not in (first, second)
    stored = {r["job_id"]: r for r in ratings(ws)}
    assert set(stored) == {first, second}
    assert [stored[first][f"r_{d}"] for d in DIMS] == ["4", "3", "5", "2"]
    assert [stored[second][f"r_{d}"] for d in DIMS] == ["1", "2", "3", "4"]
    assert stored[first]["note"] == NOTE and stored[first]["rater"] == "Ana"
    shown = json.loads(stored[first]["snapshot"])
    assert shown["blind"] is True
    job = shown["jobs"][first]
    assert job["judges"]["offline:appearance-2.3"]["overall"] is not None
    for rel, sha in job["images"].items():  # the snapshot names the bytes that were shown
        assert hashlib.sha256((ws / rel).read_bytes()).hexdigest() == sha


def test_zoom_and_edit_appends_a_row_that_supersedes(
    ws: Path, app: Inspector, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _name_myself(browser, app, "Ana")
    browser.find_element(By.CSS_SELECTOR, "#views img").click()  # zoom a view, Esc closes
    _wait(browser, lambda b: _by_id(b, "zoom").is_displayed())
    assert _by_id(browser, "zoom-img").get_attribute("src").split("/img/")[1]
    _keys(browser, Keys.ESCAPE)
    _wait(browser, lambda b: not _by_id(b, "zoom").is_displayed())
    _by_id(browser, "progress").click()
    _keys(browser, "2", "2", "2", "2")
    _by_id(browser, "submit").click()
    _wait(browser, lambda b: _by_id(b, "edit").is_displayed())
    _keys(browser, "e")
    browser.find_element(By.CSS_SELECTOR, 'input[name="finish"][value="5"]').click()
    _by_id(browser, "submit").click()
    _wait(browser, lambda b: _by_id(b, "edit").is_displayed())
    rows = read_ratings(ws / "tables" / "vfscore_ratings.csv")
    assert len(rows) == 2 and rows[1]["supersedes"] == rows[0]["rating_id"]
    (live,) = ratings(ws)
    assert [live[f"r_{d}"] for d in DIMS] == ["2", "5", "2", "2"]


def test_compare_two_in_chromium(ws: Path, app: Inspector, browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    _name_myself(browser, app, "Bo")
    _by_id(browser, "mode-compare").click()
    _wait(browser, lambda b: _by_id(b, "compare-box").is_displayed())
    assert "1 rated" not in _by_id(browser, "progress").text
    _wait(browser, lambda b: "0 rated of 3" in _by_id(b, "progress").text)  # 3 pairs of 000123
    _by_id(browser, "progress").click()
    _keys(browser, Keys.ARROW_LEFT, "=", Keys.ARROW_RIGHT, Keys.ARROW_LEFT, Keys.ENTER)
    _wait(browser, lambda b: _by_id(b, "reveal").is_displayed())
    assert "left: offline:appearance" in _by_id(browser, "reveal").text
    (row,) = pairs(ws)
    assert [row[f"p_{d}"] for d in DIMS] == ["left", "same", "right", "left"]
    sides = json.loads(row["snapshot"])["sides"]
    assert (sides["left"], sides["right"]) == (row["job_left"], row["job_right"])
    assert {row["job_left"], row["job_right"]} < {job_id(i) for i in range(3)}


def test_restart_mid_session_loses_nothing(ws: Path, browser: Any) -> None:
    with Inspector(ws) as first_app:
        first = _name_myself(browser, first_app, "Ana")
        _by_id(browser, "progress").click()
        _keys(browser, "3", "3", "3", "3")
        _by_id(browser, "submit").click()
        _wait(browser, lambda b: _by_id(b, "reveal").is_displayed())
        port = first_app.port
    _by_id(browser, "next").click()  # the server is gone: the page says so
    _wait(browser, lambda b: _by_id(b, "error").text)
    with Inspector(ws, port):
        browser.refresh()
        _wait(browser, lambda b: "1 rated of 4" in _by_id(b, "progress").text)
        assert _by_id(browser, "job-id").text != first
        _by_id(browser, "progress").click()
        _keys(browser, "1", "1", "1", "1")
        _by_id(browser, "submit").click()
        _wait(browser, lambda b: "2 rated of 4" in _by_id(b, "progress").text)
    assert len(ratings(ws)) == 2


# --- over HTTP -------------------------------------------------------------------------------


def _rate(app: Inspector, rater: str, job: str, value: int = 3, **extra: Any) -> requests.Response:
    return post(app, "/api/ratings", {"rater": rater, "job_id": job,
                                      "values": dict.fromkeys(DIMS, value), **extra})  # fmt: skip


def test_two_raters_at_once_lose_nothing_and_ratings_spread(ws: Path, app: Inspector) -> None:
    errors: list[str] = []

    def work(rater: str) -> None:
        while (item := get(app, "/api/next", rater=rater)["item"]) is not None:
            response = _rate(app, rater, item["job_id"])
            if response.status_code != 200:
                errors.append(response.text)
        while (item := get(app, "/api/next", rater=rater, mode="compare")["item"]) is not None:
            body = {"rater": rater, "job_left": item["left"]["job_id"],
                    "job_right": item["right"]["job_id"],
                    "values": dict.fromkeys(DIMS, "same")}  # fmt: skip
            if post(app, "/api/pairs", body).status_code != 200:
                errors.append(rater)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("Ana", "Bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    rows = ratings(ws)
    assert sorted((r["rater"], r["job_id"]) for r in rows) == sorted(
        (name, job_id(i)) for name in ("Ana", "Bo") for i in range(4)
    )
    assert len(pairs(ws)) == 6 and {r["rater"] for r in pairs(ws)} == {"Ana", "Bo"}


def test_next_offers_the_least_rated_job(ws: Path, app: Inspector) -> None:
    for rater in ("Ana", "Bo"):
        assert _rate(app, rater, job_id(0)).status_code == 200
    assert _rate(app, "Ana", job_id(1)).status_code == 200
    offered = get(app, "/api/next", rater="Cy")["item"]["job_id"]
    assert offered in (job_id(2), job_id(3))  # never rated, so before jobs 0 and 1
    progress = get(app, "/api/next", rater="Ana")["progress"]
    assert progress == {"done": 2, "total": 4, "min_ratings": 0, "max_ratings": 2}
    assert post(app, "/api/skip", {"rater": "Cy", "job_id": offered}).status_code == 200
    assert get(app, "/api/next", rater="Cy")["item"]["job_id"] not in (offered, job_id(0))


def test_scores_stay_hidden_until_submitted_unless_reviewing(ws: Path, app: Inspector) -> None:
    item = get(app, "/api/next", rater="Ana")["item"]
    assert item["scores"] is None and item["mine"] is None
    answer = _rate(app, "Ana", item["job_id"]).json()
    assert answer["scores"]["judges"]["offline:appearance-2.3"]["dimensions"]
    assert get(app, f"/api/job/{item['job_id']}", rater="Ana")["item"]["scores"] is not None
    reviewed = get(app, "/api/next", rater="Ana", reveal="1")["item"]
    assert reviewed["scores"] is not None
    _rate(app, "Ana", reviewed["job_id"])
    blind = {r["job_id"]: json.loads(r["snapshot"])["blind"] for r in ratings(ws)}
    assert blind == {item["job_id"]: True, reviewed["job_id"]: False}


def test_a_comparison_stays_blind_after_rating_its_jobs(ws: Path, app: Inspector) -> None:
    for i in range(3):
        _rate(app, "Ana", job_id(i))
    item = get(app, "/api/next", rater="Ana", mode="compare")["item"]
    assert item["left"]["scores"] is None and item["right"]["scores"] is None
    assert item["left"]["mine"] is None
    body = {"rater": "Ana", "job_left": item["left"]["job_id"],
            "job_right": item["right"]["job_id"],
            "values": dict.fromkeys(DIMS, "same")}  # fmt: skip
    assert post(app, "/api/pairs", body).status_code == 200
    (row,) = pairs(ws)
    shown = json.loads(row["snapshot"])
    assert shown["rated_before"] == sorted([row["job_left"], row["job_right"]])


def test_sides_of_a_pair_are_randomised(app: Inspector) -> None:
    orders = set()
    for _ in range(30):
        item = get(app, "/api/next", rater="Ana", mode="compare")["item"]
        orders.add((item["left"]["job_id"], item["right"]["job_id"]))
    assert len(orders) == 2  # the same pair (Ana rated none), both ways round


REFUSED = [
    ("cross-origin", "/api/ratings", {"Origin": "http://evil.example"}, 403, "cross-origin"),
    ("cross-site", "/api/ratings", {"Sec-Fetch-Site": "cross-site"}, 403, "cross-site"),
    ("form post", "/api/ratings", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
     "send JSON"),
    ("dns rebinding", "/api/ratings", {"Host": "evil.example"}, 403, "unknown Host"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "path", "headers", "status", "message"), REFUSED,
                         ids=[r[0] for r in REFUSED])  # fmt: skip
def test_requests_from_elsewhere_are_refused(
    ws: Path, app: Inspector, case: str, path: str, headers: dict[str, str], status: int,
    message: str,
) -> None:  # fmt: skip
    body = {"rater": "Ana", "job_id": job_id(0), "values": dict.fromkeys(DIMS, 3)}
    if "Content-Type" in headers:
        response = requests.post(app.url + path.lstrip("/"), data=body, headers=headers, timeout=30)
    else:
        response = post(app, path, body, **headers)
    assert response.status_code == status and message in response.json()["error"], response.text
    assert not (ws / "tables" / "vfscore_ratings.csv").exists()


BAD = [
    ("out of range", {"job_id": job_id(0), "values": {**dict.fromkeys(DIMS, 3), "finish": 6}},
     "finish: 6 is not a rating from 1 to 5"),
    ("a float", {"job_id": job_id(0), "values": {**dict.fromkeys(DIMS, 3), "finish": 2.5}},
     "finish: 2.5"),
    ("missing dimension", {"job_id": job_id(0), "values": {"finish": 3}}, "no rating for"),
    ("unknown job", {"job_id": "nope", "values": dict.fromkeys(DIMS, 3)},
     "'nope' is not a rateable job of run"),
    ("another run's job", {"job_id": "0000000000ff", "values": dict.fromkeys(DIMS, 3)},
     "is not a rateable job of run"),
    ("markup rater", {"rater": "<img src=x>", "job_id": job_id(0),
                      "values": dict.fromkeys(DIMS, 3)}, "rater name"),
    ("not my rating", {"job_id": job_id(0), "values": dict.fromkeys(DIMS, 3),
                       "supersedes": "0123"}, "is not one of Ana's ratings"),
    ("note not text", {"job_id": job_id(0), "values": dict.fromkeys(DIMS, 3), "note": 5},
     "note must be text"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_ratings_are_refused_and_change_nothing(
    ws: Path, app: Inspector, case: str, body: dict[str, Any], message: str
) -> None:
    assert _rate(app, "Ana", job_id(1)).status_code == 200
    before = (ws / "tables" / "vfscore_ratings.csv").read_bytes()
    response = post(app, "/api/ratings", {"rater": "Ana", **body})
    assert response.status_code == 400 and message in response.json()["error"], response.text
    assert (ws / "tables" / "vfscore_ratings.csv").read_bytes() == before


def test_pairs_across_products_and_unknown_images_are_refused(ws: Path, app: Inspector) -> None:
    body = {"rater": "Ana", "job_left": job_id(0), "job_right": job_id(3),
            "values": dict.fromkeys(DIMS, "left")}  # fmt: skip
    response = post(app, "/api/pairs", body)
    assert response.status_code == 400 and "different products" in response.json()["error"]
    assert not (ws / "tables" / "vfscore_pairs.csv").exists()
    for path in ("img/0123", "img/..%2f..%2fvfscore.toml", "../../tables/generations.csv"):
        assert requests.get(app.url + path, timeout=30).status_code == 404


def test_pages_forbid_framing_and_foreign_scripts(app: Inspector) -> None:
    response = requests.get(app.url, timeout=30)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_it_listens_on_loopback_only(app: Inspector) -> None:
    assert app.proc is not None
    listening = [c.laddr for c in psutil.Process(app.proc.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]  # fmt: skip
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)


def _rate_cli(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "driver", "rate", "--workspace", str(ws), "--no-browser", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_it_says_why_it_cannot_start(ws: Path, app: Inspector) -> None:
    busy = _rate_cli(ws, "--run-id", RUN_ID, "--port", str(app.port))
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{app.port}" in busy.stderr
    empty = _rate_cli(ws, "--run-id", "another-run", "--port", "0")
    assert empty.returncode == 2 and "has no scored job" in empty.stderr
    bad_rater = _rate_cli(ws, "--run-id", RUN_ID, "--rater", "<b>")
    assert bad_rater.returncode == 2 and "rater name" in bad_rater.stderr
