"""The generated docs site in headless Chromium (Debian's chromium + chromium-driver, driven
by Selenium over WebDriver), opened from file:// with no server and no network: every model
is listed, a model page shows its columns and lineage graph, a column's lineage can be
followed from model to model, the graph view filters with dbt's selector grammar, and a
1,000-model site opens without freezing. Screenshots are saved as test artifacts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from xform_testlib import REPO, copy_root_project, run_xform, target_dir

CHROMIUM = os.environ.get("XFORM_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("XFORM_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("XFORM_TEST_ARTIFACTS", REPO / "test-artifacts"))


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            pytest.fail(
                f"{path} not found: install Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver)",
                pytrace=False,
            )
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    # No network here: Chromium's background services would only fail to connect.
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        "--allow-file-access-from-files",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def _wait(driver, what, timeout=20):
    return WebDriverWait(driver, timeout).until(what)


def _open(driver, site: Path, fragment: str = ""):
    # A new fragment on the open page would only fire hashchange: load the page afresh.
    driver.get("about:blank")
    driver.get(site.as_uri() + fragment)
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")


def _js_errors(driver) -> list[str]:
    try:
        logs = driver.get_log("browser")
    except Exception:  # not every driver exposes the console
        return []
    return [e["message"] for e in logs if e.get("level") == "SEVERE"]


def _screenshot(driver, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


@pytest.fixture(scope="module")
def root_site(tmp_path_factory, xform):
    project = copy_root_project(tmp_path_factory.mktemp("docs_site") / "project")
    run_xform(xform, ["build", "--profiles-dir", "profiles"], cwd=project)
    run_xform(xform, ["docs", "generate", "--profiles-dir", "profiles"], cwd=project)
    target = target_dir(project)
    manifest = json.loads((target / "manifest.json").read_text())
    return target / "index.html", manifest


def _ancestors(manifest, uid):
    seen, stack = set(), [uid]
    while stack:
        for p in manifest["parent_map"].get(stack.pop(), []):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def test_every_model_is_listed_and_a_model_page_shows_columns_and_lineage(browser, root_site):
    site, manifest = root_site
    _open(browser, site)
    assert _js_errors(browser) == []
    listed = {a.get_attribute("data-id") for a in browser.find_elements(By.CSS_SELECTOR, "#tree a[data-id]")}
    models = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert models and models <= listed, f"models missing from the tree: {sorted(models - listed)}"

    # Open a model through search, as a user would.
    search = browser.find_element(By.ID, "search")
    search.send_keys("fct_events")
    _wait(browser, lambda d: d.find_element(By.ID, "results").is_displayed())
    search.send_keys(Keys.ENTER)
    _wait(browser, lambda d: "fct_events" in d.find_element(By.TAG_NAME, "h1").text)
    columns = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#columns tbody tr td:first-child")]
    assert {"event_id", "actor_id", "repo_id", "created_at"} <= set(columns), columns
    types = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#columns tbody tr td:nth-child(2)")]
    assert all(types), f"every column has its warehouse type: {types}"
    graph_nodes = browser.find_elements(By.CSS_SELECTOR, "#node-graph g.gnode")
    names = {g.get_attribute("data-id") for g in graph_nodes}
    fct = "model.github_activity.fct_events"
    assert fct in names and len(browser.find_elements(By.CSS_SELECTOR, "#node-graph g.gnode.focus")) == 1
    upstream_models = {u for u in _ancestors(manifest, fct) if u.startswith(("model.", "seed.", "source."))}
    assert upstream_models <= names, f"lineage graph lacks {sorted(upstream_models - names)}"
    assert browser.find_elements(By.CSS_SELECTOR, "#node-graph path.edge")
    _screenshot(browser, "docs-site-model.png")


def test_a_columns_lineage_can_be_followed(browser, root_site):
    site, _ = root_site
    _open(browser, site, "#/node/model.github_activity.fct_events")
    browser.find_element(By.CSS_SELECTOR, '#columns tr[data-column="actor_id"] a.col-link').click()
    panel = _wait(browser, lambda d: d.find_element(By.ID, "column-lineage"))
    assert "actor_id" in panel.text
    lit = {g.get_attribute("data-id") for g in browser.find_elements(By.CSS_SELECTOR, "#node-graph g.gnode.lit")}
    assert "model.github_activity.stg_github__events" in lit, lit
    downstream = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downstream a")]
    assert "dim_actor.actor_id" in downstream, downstream
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    _screenshot(browser, "docs-site-column-lineage.png")

    # Follow it one model upstream: the staging model, with the same column selected.
    panel.find_element(By.LINK_TEXT, "stg_github__events.actor_id").click()
    _wait(browser, lambda d: "stg_github__events" in d.find_element(By.TAG_NAME, "h1").text)
    assert browser.find_element(By.CSS_SELECTOR, "#columns tr.selected").get_attribute("data-column") == "actor_id"
    derives = browser.find_element(By.ID, "column-lineage").text
    assert "raw_github_events.actor" in derives, derives
    assert "fct_events.actor_id" in [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downstream a")]


def test_the_graph_view_filters_with_selectors(browser, root_site):
    site, manifest = root_site
    _open(browser, site, "#/graph")
    box = browser.find_element(By.ID, "graph-select")
    box.send_keys("+fct_events", Keys.ENTER)
    _wait(browser, lambda d: "%2Bfct_events" in d.current_url or "+fct_events" in d.current_url)
    fct = "model.github_activity.fct_events"
    want = {fct} | {u for u in _ancestors(manifest, fct) if not u.startswith(("test.", "unit_test."))}
    shown = _wait(browser, lambda d: {g.get_attribute("data-id") for g in d.find_elements(By.CSS_SELECTOR, "g.gnode")} or None)
    assert shown == want

    exclude = browser.find_element(By.ID, "graph-exclude")
    exclude.send_keys("resource_type:source", Keys.ENTER)
    _wait(browser, lambda d: "resource_type" in d.current_url)
    shown = {g.get_attribute("data-id") for g in browser.find_elements(By.CSS_SELECTOR, "g.gnode")}
    assert shown == {u for u in want if not u.startswith("source.")}

    # Focus: a click lights a node's upstream and downstream and dims the rest.
    # Everything shown is upstream of fct_events, so everything lights up; nothing dims.
    browser.find_element(By.CSS_SELECTOR, f'g.gnode[data-id="{fct}"]').click()
    focus = browser.find_elements(By.CSS_SELECTOR, "g.gnode.focus")
    assert [g.get_attribute("data-id") for g in focus] == [fct]
    lit = {g.get_attribute("data-id") for g in browser.find_elements(By.CSS_SELECTOR, "g.gnode.lit")}
    assert lit == shown and not browser.find_elements(By.CSS_SELECTOR, "g.gnode.dim")

    _open(browser, site, "#/graph/" + "tag:nonexistent,%2Bbad:method")
    assert "not supported" in browser.find_element(By.ID, "graph-error").text
    _screenshot(browser, "docs-site-graph.png")


def test_a_thousand_model_site_opens_without_freezing(browser, tmp_path, xform):
    gen = None
    for candidate in (REPO.parent / "shared/bench/gen_project.py", Path("/work/shared/bench/gen_project.py")):
        if candidate.is_file():
            gen = candidate
            break
    if gen is None:
        pytest.fail("../shared/bench/gen_project.py not found", pytrace=False)
    project = tmp_path / "gen1000"
    subprocess.run([sys.executable, str(gen), "1000", str(project)], check=True, capture_output=True)
    run_xform(xform, ["docs", "generate", "--empty-catalog", "--profiles-dir", "."], cwd=project)
    site = target_dir(project) / "index.html"
    browser.set_page_load_timeout(60)
    _open(browser, site)
    models = browser.find_elements(By.CSS_SELECTOR, '#tree a[data-id^="model."]')
    assert len(models) >= 990, len(models)
    # The whole graph at once: every node drawn, the page still answers.
    _open(browser, site, "#/graph")
    drawn = len(browser.find_elements(By.CSS_SELECTOR, "g.gnode"))
    assert drawn >= 1000, drawn
    assert browser.execute_script("return 1 + 1") == 2
    _screenshot(browser, "docs-site-1000-graph.png")
