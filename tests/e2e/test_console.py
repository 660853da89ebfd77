"""The web console (docs/console.md) in a real browser: Debian's headless
Chromium driven by python3-selenium against a real sluice serving the
example data (examples/data). One browser session visits every page and
checks what a person sees against the API's own answers: the overview's
numbers equal GET /, the schema diff equals the diff route, promoting a
version by clicking (keyboard only, through the confirmation) changes
GET /, a playground query's table and next page equal POST .../query with
the same body, an appended CSV row arrives in the live tail (also after a
pause and resume), the plugins page lists GET /admin/plugins; the browser
log has no error; and at a phone's width the page does not overflow.
Then, without the browser: the console's answers carry a strict
Content-Security-Policy, and a state-changing call made with the
console's cookie but without its CSRF token (or from another origin) is
refused. A second test loads 100 endpoints and a 100-version history.

Screenshots of each page go to $SLUICE_E2E_ARTIFACTS/test_console/ (CTest
sets it to build/tests/artifacts). Every test skips when chromium or
chromium-driver is missing."""
import json
import os
import shutil
import time
import unittest

from console_browser import Browser, available
from harness import HERE, Http, TempDirTest, run_cli, wait_ready, wait_until

EXAMPLES = os.path.join(HERE, "..", "..", "examples", "data")
ARTIFACTS = os.path.join(os.environ.get("SLUICE_E2E_ARTIFACTS",
                                        os.path.join(HERE, "..", "..", "build", "tests", "artifacts")),
                         "test_console")
KEY = "console-test-admin-key-0123456789abcdef"
H = {"X-API-Key": KEY}


def config(dirpath, types=None, endpoints=None):
    """The example's trips and zones (or `endpoints`: (name, table) pairs),
    an admin key, the console on."""
    eps = endpoints or [("trips", "trips", "trip_id", "pickup_zone_id"), ("zones", "zones", "zone_id", None)]
    lines = ["home_dir: ./home", "storage: { plugin: leveldb }", "connections:",
             "  - name: files", "    plugin: csv", "    options: { path: ./data }", "endpoints:"]
    for name, table, key, secondary in eps:
        lines += [f"  - name: {name}", f"    path: /{name}", "    connection: files",
                  f"    table: {table}", "    index:", f"      primary_key: [{key}]"]
        if secondary:
            lines.append(f"      secondary: [[{secondary}]]")
        if types and name == "trips":
            lines.append(f"    options: {{ types: {json.dumps(types)} }}")
    lines += ["api:", "  rest: { host: 127.0.0.1, port: 0, console: true }",
              "ingest: { commit_interval_ms: 100, poll_interval_ms: 50 }",
              "auth:", f"  keys: [{{ name: ops, key: {KEY}, roles: [admin] }}]"]
    path = os.path.join(dirpath, "sluice.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def exact(base, path, query):
    """POSTs `query`; the records with every number as the text the server wrote."""
    import http.client
    import urllib.parse
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        c.request("POST", path, body=json.dumps(query), headers=H)
        r = c.getresponse()
        body = r.read()
        assert r.status == 200, (r.status, body)
        return json.loads(body, parse_int=str, parse_float=str)
    finally:
        c.close()


def text(el):
    return el.text.strip()


@unittest.skipUnless(available(), "chromium, chromium-driver or python3-selenium not installed")
class ConsoleTest(TempDirTest):
    def setUp(self):
        super().setUp()
        os.makedirs(ARTIFACTS, exist_ok=True)

    def api(self, base):
        http = Http(base)
        self.addCleanup(http.close)

        def call(method, path, body=None, headers=None):
            return http.request(method, path, body, {**H, **(headers or {})})
        return call

    def browser(self):
        b = Browser()
        self.addCleanup(b.close)
        return b

    def shot(self, b, name):
        b.screenshot(os.path.join(ARTIFACTS, name + ".png"))

    def login(self, b, base):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        d = b.driver
        d.get(base + "/console")
        key = b.wait(lambda d: d.find_element(By.ID, "login-key").is_displayed() and
                     d.find_element(By.ID, "login-key"), what="the log-in form")
        self.shot(b, "login")
        key.send_keys(KEY + Keys.ENTER)  # keyboard only
        b.wait(lambda d: d.find_element(By.ID, "nav").is_displayed(), what="logged in")

    def serve_two_versions(self):
        for f in ("trips.csv", "zones.csv"):
            shutil.copy(os.path.join(EXAMPLES, f), self.data(f))
        # v1 as inferred, then v2 with passenger_count forced to float64.
        for args in (("migrate",), ("app", "run", "--once")):
            code, out, err = run_cli(config(self.dir), *args)
            self.assertEqual(code, 0, err)
        s = self.start(config(self.dir, types={"passenger_count": "float64"}), "run")
        base = s.wait_listening()
        api = self.api(base)

        def both_ready():  # v2 read the whole file again: as many rows as v1
            st, _, body = api("GET", "/")
            trips = [e for e in body["endpoints"] if e["name"] == "trips"][0]
            vs = {v["version"]: v for v in trips["versions"]}
            return (trips["current_version"] == 2 and trips["ingest"]["state"] == "caught_up" and
                    all(vs.get(n) and vs[n]["ready"] and vs[n]["lag"] == 0 for n in (1, 2)) and
                    vs[1]["rows"] == vs[2]["rows"] > 0)
        wait_until(both_ready, 120, "trips v1 and v2 ready")
        return s, base, api

    def test_every_page_against_the_api(self):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        s, base, api = self.serve_two_versions()
        b = self.browser()
        d = b.driver
        self.login(b, base)

        # Overview: every endpoint x version shows GET /'s numbers.
        d.get(base + "/console#/overview")
        _, _, index = api("GET", "/")

        def shown():
            out = {}
            for tr in d.find_elements(By.CSS_SELECTOR, "#overview tbody tr"):
                cells = {td.get_attribute("data-col"): text(td) for td in tr.find_elements(By.TAG_NAME, "td")}
                out[(tr.get_attribute("data-endpoint"), int(tr.get_attribute("data-version")))] = cells
            return out

        def expected():
            out = {}
            for e in index["endpoints"]:
                for v in e["versions"]:
                    out[(e["name"], v["version"])] = {"rows": f"{v['rows']:,}", "log": f"{v['log_end']:,}",
                                                      "lag": f"{v['lag']:,}", "version": f"v{v['version']}"}
            return out
        want = expected()
        b.wait(lambda d: set(shown()) == set(want), what="every endpoint x version in the overview")
        got = shown()
        for k, cells in want.items():
            for col, value in cells.items():
                self.assertEqual(got[k][col], value, f"{k} {col}")
            v = [x for e in index["endpoints"] if e["name"] == k[0] for x in e["versions"] if x["version"] == k[1]][0]
            self.assertEqual(got[k]["created"], v["created_at"])
            self.assertEqual(got[k]["schema"], v["schema"])
        self.assertEqual(got[("trips", 2)]["current"], "current (latest)")
        self.assertEqual(got[("trips", 1)]["current"], "")
        self.assertIn("caught_up", got[("trips", 2)]["ingest"])
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "tbody[data-endpoint=trips] svg.spark polyline"))
        self.shot(b, "overview")

        # Keyboard: Tab from the top reaches the skip link, then the pages.
        d.refresh()
        b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#overview tbody tr"), what="the reloaded overview")
        ActionChains(d).send_keys(Keys.TAB).perform()
        self.assertEqual(d.switch_to.active_element.text, "Skip to content")
        ActionChains(d).send_keys(Keys.TAB).perform()
        self.assertEqual(d.switch_to.active_element.text, "Overview")
        ActionChains(d).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
        b.wait(lambda d: d.current_url.endswith("#/versions"), what="Enter on the Versions link")

        # Live tail: an appended row arrives; pause, append, resume: it arrives too.
        d.get(base + "/console#/tail/trips")
        b.wait(lambda d: d.find_element(By.ID, "tail-toggle").is_enabled(), what="the tail page")
        d.find_element(By.ID, "tail-filter").send_keys('{"trip_id": {"$gt": 100000}}')
        d.find_element(By.ID, "tail-toggle").click()
        b.wait(lambda d: text(d.find_element(By.ID, "tail-state")) == "following", what="the feed open")
        header = open(self.data("trips.csv")).readline().strip().split(",")

        def append(trip_id):
            row = {h: "" for h in header}
            row.update(trip_id=trip_id, vendor_id=1, pickup_at="2024-10-01T10:00:00Z",
                       dropoff_at="2024-10-01T10:20:00Z", passenger_count=1, trip_distance=2.5,
                       pickup_zone_id=7, dropoff_zone_id=8, pickup_zone="Astoria", payment_type="card",
                       fare_amount=12.5, tip_amount=2.0, total_amount=14.5, store_and_fwd="false")
            with open(self.data("trips.csv"), "a") as f:
                f.write(",".join(str(row[h]) for h in header) + "\n")

        def tail_ids():
            return [json.loads(text(tr.find_element(By.CLASS_NAME, "record")))["trip_id"]
                    for tr in d.find_elements(By.CSS_SELECTOR, "#tail-rows tr.op-insert")]
        append(100001)
        b.wait(lambda d: tail_ids() == [100001], what="the appended row in the live tail")
        self.shot(b, "tail")
        d.find_element(By.ID, "tail-toggle").click()  # pause
        b.wait(lambda d: text(d.find_element(By.ID, "tail-state")).startswith("paused after"), what="paused")
        append(100002)
        wait_until(lambda: api("GET", "/v2/trips/100002")[0] == 200, 60, "row 100002 served")
        self.assertEqual(tail_ids(), [100001])  # paused: nothing shown
        d.find_element(By.ID, "tail-toggle").click()  # resume after the last id
        b.wait(lambda d: tail_ids() == [100002, 100001], what="the row appended while paused")

        # Versions: the diff as the API says it; promote v1 by keyboard.
        d.get(base + "/console#/versions/trips")
        _, _, diff = api("GET", "/admin/endpoints/trips/diff?from=1&to=2")
        self.assertIn("type changed: passenger_count int64 -> float64", diff["changes"])
        b.wait(lambda d: [text(li) for li in d.find_elements(By.CSS_SELECTOR, "#v-changes li")] == diff["changes"],
               what="the schema diff")
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "#v-diff-out table.schema tr.changed"))
        self.shot(b, "versions-diff")
        button = b.wait(lambda d: d.find_element(By.CSS_SELECTOR, "button[data-action=promote][data-version='1']"),
                        what="the promote button of v1")
        button.send_keys(Keys.ENTER)
        b.wait(lambda d: d.find_element(By.ID, "confirm").is_displayed(), what="the confirmation")
        self.shot(b, "versions-confirm")
        self.assertEqual(d.switch_to.active_element.text, "Cancel")  # the safe choice has focus
        ActionChains(d).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
        b.wait(lambda d: "done" in text(d.find_element(By.ID, "v-result")), what="the promote result")

        def trips():
            return [e for e in api("GET", "/")[2]["endpoints"] if e["name"] == "trips"][0]
        t = trips()
        self.assertEqual(t["current_version"], 1)
        self.assertEqual(t["pin"]["version"], 1)
        self.assertEqual(t["pin"]["by"], "admin")
        self.assertIn('"current_version":1', text(d.find_element(By.ID, "v-result")))
        b.wait(lambda d: text(d.find_element(By.CSS_SELECTOR, "#versions tr[data-version='1'] td[data-col=current]"))
               .startswith("current"), what="v1 shown current")
        self.shot(b, "versions")
        # An API error is shown as returned: prune keeping 0 versions.
        keep = d.find_element(By.ID, "v-keep")
        keep.clear()
        keep.send_keys("0" + Keys.ENTER)
        b.wait(lambda d: d.find_element(By.ID, "confirm").is_displayed(), what="the prune confirmation")
        d.find_element(By.ID, "confirm-ok").click()
        status, _, err = api("POST", "/admin/prune", {"keep": 0, "endpoint": "trips"})
        b.wait(lambda d: f"{status} {err['error']['code']}: {err['error']['message']}" in
               text(d.find_element(By.ID, "v-result")), what="the prune error as the API returns it")

        # Playground: filter, order, limit; the table equals the API's answer.
        d.get(base + "/console#/playground/trips")
        b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#pg-version option")) >= 3, what="the versions")
        d.find_element(By.ID, "pg-add").click()
        from selenium.webdriver.support.ui import Select
        row = d.find_element(By.CSS_SELECTOR, "#pg-conds .cond")
        Select(row.find_element(By.CLASS_NAME, "pg-field")).select_by_value("pickup_zone_id")
        Select(row.find_element(By.CLASS_NAME, "pg-op")).select_by_value(">=")
        row.find_element(By.CLASS_NAME, "pg-value").send_keys("100")
        Select(d.find_element(By.ID, "pg-order")).select_by_value("fare_amount")
        Select(d.find_element(By.ID, "pg-dir")).select_by_value("desc")
        limit = d.find_element(By.ID, "pg-limit")
        limit.clear()
        limit.send_keys("7")
        d.find_element(By.ID, "pg-run").click()
        query = {"$filter": {"pickup_zone_id": {"$gte": 100}}, "$order_by": {"fare_amount": "desc"}, "$limit": 7}
        status, headers, plain = api("POST", "/trips/query", query)
        self.assertEqual(status, 200)
        answer = exact(base, "/trips/query", query)

        def table():
            heads = [text(th) for th in d.find_elements(By.CSS_SELECTOR, "#pg-result thead th")]
            return [dict(zip(heads, [text(td) for td in tr.find_elements(By.TAG_NAME, "td")]))
                    for tr in d.find_elements(By.CSS_SELECTOR, "#pg-result tbody tr")]

        def as_shown(rows):
            return [{k: ("null" if v is None else ("true" if v is True else "false" if v is False else str(v)))
                     for k, v in r.items()} for r in rows]
        b.wait(lambda d: len(table()) == len(answer), what="the playground's table")
        self.assertEqual(table(), as_shown(answer))
        self.assertEqual(text(d.find_element(By.ID, "pg-plan")), headers["x-sluice-plan"])
        self.assertRegex(text(d.find_element(By.ID, "pg-time")), r"^\d+\.\d ms$")
        curl = text(d.find_element(By.ID, "pg-curl"))
        self.assertIn(base + "/trips/query", curl)
        self.assertEqual(json.loads(curl.split(" -d '", 1)[1].rstrip("'")), query)
        self.assertIn("sluice.v1.Common/query", text(d.find_element(By.ID, "pg-grpc")))
        self.shot(b, "playground")
        d.find_element(By.ID, "pg-next").click()
        page2 = exact(base, "/trips/query", {**query, "$after": plain[-1]})
        b.wait(lambda d: table() and table()[0] != as_shown(answer)[0], what="the next page")
        self.assertEqual(table(), as_shown(page2))

        # Plugins and health.
        d.get(base + "/console#/health")
        _, _, plugins = api("GET", "/admin/plugins")
        b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#plugins tbody tr")) == len(plugins["plugins"]),
               what="the plugins table")
        for p in plugins["plugins"]:
            tds = [text(td) for td in d.find_elements(By.CSS_SELECTOR, f"#plugins tr[data-plugin='{p['kind']}/{p['name']}'] td")]
            self.assertEqual(tds[:4], [p["kind"], p["name"], p["version"], p["abi"]])
        self.assertIn("storage/leveldb", [f"{p['kind']}/{p['name']}" for p in plugins["plugins"]])
        self.assertTrue(text(d.find_element(By.ID, "health-live")).startswith("200"))
        b.wait(lambda d: text(d.find_element(By.ID, "health-ready")) == "200 ready", what="/ready shown")
        b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#metrics tr[data-metric=sluice_ingest_rows_total]"),
               what="key metrics")
        self.shot(b, "health")

        # A phone's width: nothing overflows the page (tables scroll inside).
        b.phone()
        d.get(base + "/console#/overview")
        b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#overview tbody tr"), what="overview at phone width")
        self.assertEqual(d.execute_script("return window.innerWidth"), 390)
        self.assertLessEqual(d.execute_script("return document.documentElement.scrollWidth"), 390)
        self.shot(b, "overview-phone")

        # No errors but the refusal this test asked for (Chromium logs every
        # answer >= 400 it fetched; the page showed it as the API returned it).
        self.assertEqual([e for e in b.errors() if "/admin/prune" not in e["message"]], [],
                         "browser log errors")

        # Without the browser: the CSP, and the CSRF token on state changes.
        cookie = d.get_cookie("sluice_console")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        plain = Http(base)
        self.addCleanup(plain.close)
        status, headers, _ = plain.request("GET", "/console")
        self.assertEqual(status, 200)
        csp = headers["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
            self.assertIn(part, csp)
        self.assertNotIn("unsafe-inline", csp)
        jar = {"Cookie": f"sluice_console={cookie['value']}"}
        _, _, session = plain.request("GET", "/console/session", headers=jar)
        token = session["csrf"]
        body = {"version": 2}
        for extra in ({}, {"X-Sluice-CSRF": "0" * 64},
                      {"X-Sluice-CSRF": token, "Origin": "http://evil.example"}):
            status, _, answer = plain.request("PUT", "/admin/endpoints/trips/current", body, {**jar, **extra})
            self.assertEqual(status, 403, (extra, answer))
        self.assertEqual(trips()["current_version"], 1)
        status, _, answer = plain.request("PUT", "/admin/endpoints/trips/current", body,
                                          {**jar, "X-Sluice-CSRF": token, "Origin": base})
        self.assertEqual(status, 200, answer)
        self.assertEqual(trips()["current_version"], 2)
        # Without the cookie the admin route is not served at all.
        status, _, _ = plain.request("PUT", "/admin/endpoints/trips/current", body, {"X-Sluice-CSRF": token})
        self.assertEqual(status, 404)

    def test_hundred_endpoints_and_a_hundred_versions(self):
        from selenium.webdriver.common.by import By
        with open(self.data("t.csv"), "w") as f:
            f.write("id,name,value\n" + "".join(f"{i},n{i},{i * 0.5}\n" for i in range(1, 11)))
        eps = [(f"e{i:03d}", "t", "id", None) for i in range(100)]
        cfg = config(self.dir, endpoints=eps[:1])
        for args in [("migrate",)] + [("migrate", "--new", "e000")] * 99:  # a 100-version history
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        cfg = config(self.dir, endpoints=eps)
        s = self.start(cfg, "run")
        base = s.wait_listening()
        api = self.api(base)

        def all_ready():
            _, _, body = api("GET", "/")
            return all(e["current_version"] and all(v["ready"] for v in e["versions"])
                       for e in body["endpoints"]) and body
        index = wait_until(all_ready, 300, "100 endpoints ready")
        self.assertEqual(len(index["endpoints"]), 100)
        self.assertEqual(len(index["endpoints"][0]["versions"]), 100)
        b = self.browser()
        d = b.driver
        self.login(b, base)
        d.get(base + "/console#/overview")
        # Long tasks (> 50 ms of script or layout) while it renders and updates.
        d.execute_script("window.__long = []; new PerformanceObserver((l) => l.getEntries()"
                         ".forEach((e) => window.__long.push(e.duration))).observe({entryTypes: ['longtask']});")
        want = sum(len(e["versions"]) for e in index["endpoints"])
        b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#overview tbody tr")) == want,
               120, "every row of 100 endpoints")
        count = d.find_element(By.ID, "ov-count")
        b.wait(lambda d: text(count) == "100 of 100 endpoints", what="the endpoint count")
        d.find_element(By.ID, "ov-filter").send_keys("e099")
        b.wait(lambda d: text(count) == "1 of 100 endpoints", what="the filter")
        self.shot(b, "overview-100")
        d.get(base + "/console#/versions/e000")
        b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#versions tbody tr")) == 100, 60, "100 versions")
        b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#v-changes li"), what="the diff of the newest two")
        self.shot(b, "versions-100")
        long_tasks = d.execute_script("return window.__long || []")
        print(f"long tasks on the 100-endpoint console: {len(long_tasks)}, "
              f"longest {max(long_tasks, default=0):.0f} ms")
        self.assertEqual(b.errors(), [], "browser log errors")


if __name__ == "__main__":
    unittest.main()
