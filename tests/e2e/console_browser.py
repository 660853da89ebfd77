"""A headless Chromium for the console's tests (tests/e2e/test_console.py):
Debian's chromium and chromium-driver through python3-selenium, with its
own temporary profile. `browser()` returns None when chromium or the
driver is not installed (the tests then skip)."""
import os
import shutil
import tempfile
import time

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def available():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)


class Browser:
    """One Chromium session; close() ends it and removes its profile."""

    def __init__(self, width=1366, height=900):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix="sluice-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-extensions", "--disable-background-networking",
                  "--disable-sync", "--disable-component-update", "--mute-audio",
                  f"--user-data-dir={self.profile}", f"--window-size={width},{height}"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(60)
        self.log = []

    def logs(self):
        """Every browser log entry so far (console messages, failed loads)."""
        self.log += self.driver.get_log("browser")
        return self.log

    def errors(self):
        return [e for e in self.logs() if e.get("level") == "SEVERE"]

    def wait(self, fn, timeout=60, what="condition"):
        """Waits for fn(driver) to return something truthy (condition, not time)."""
        deadline = time.time() + timeout
        last_exc = None
        while time.time() < deadline:
            try:
                v = fn(self.driver)
                if v:
                    return v
            except Exception as e:  # an element not there yet, or replaced meanwhile
                last_exc = e
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}" +
                             (f" (last error: {last_exc!r})" if last_exc else ""))

    def phone(self, width=390, height=844):
        """Renders as a phone does: that viewport, mobile layout (a headless
        window cannot be narrower than 500 px)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})

    def screenshot(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.driver.save_screenshot(path)

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
