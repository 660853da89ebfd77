"""sluice as a service, its safety side: the api_keys / admin_keys of the
REST options (credentials of the host's access model; test_access.py covers
the rest of it), admin routes without credentials, the listen address, body
and $limit caps, and names that would escape the home or plugin
directories."""
import os
import unittest

from harness import Http, run_cli, wait_until, write_csv
from test_service import ServiceTest


class AuthTest(ServiceTest):
    REST = "{ host: 127.0.0.1, port: 0, api_keys: [data-key-1, data-key-2], admin_keys: [admin-key] }"

    def test_keys_on_data_and_admin_routes(self):
        cfg = self.config(rest=self.REST)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        status, headers, body = http.get("/items/1")
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"], 'Bearer realm="sluice"')
        self.assertEqual(body["error"]["code"], "unauthenticated")
        self.assertEqual(http.request("GET", "/items/1", headers={"X-API-Key": "nope"})[0], 401)
        wait_until(lambda: http.get("/ready")[0] == 200, what="ready")  # open without a key
        self.assertEqual(http.get("/health")[0], 200)
        ok = http.request("GET", "/items/1", headers={"X-API-Key": "data-key-2"})
        self.assertEqual(ok[0], 200)
        self.assertEqual(ok[2]["id"], 1)
        bearer = {"Authorization": "Bearer data-key-1"}
        self.assertEqual(http.request("POST", "/items/count", {}, bearer)[2], {"count": 10})
        self.assertEqual(http.request("GET", "/", headers=bearer)[0], 200)
        admin_body = {"version": 1}
        path = "/admin/endpoints/items/current"
        self.assertEqual(http.request("PUT", path, admin_body)[0], 404)  # not on TCP without one
        status, _, body = http.request("PUT", path, admin_body, bearer)
        self.assertEqual((status, body["error"]["code"]), (403, "permission_denied"))
        self.assertEqual(http.request("PUT", path, admin_body, {"X-API-Key": "admin-key"})[0], 200)
        self.assertEqual(http.get("/metrics")[0], 401)
        self.assertEqual(http.request("GET", "/metrics", headers=bearer)[0], 403)
        self.assertEqual(http.request("GET", "/metrics", headers={"X-API-Key": "admin-key"})[0], 200)
        self.assertEqual(http.request("POST", "/admin/prune", {"keep": 1}, bearer)[0], 403)
        status, _, body = http.request("POST", "/admin/prune", {"keep": 1}, {"X-API-Key": "admin-key"})
        self.assertEqual((status, body), (200, {"pruned": []}))
        self.assertEqual(s.stop(), 0)

    def test_no_keys_means_open_data_and_admin_only_on_the_socket(self):
        cfg = self.config(rest="{ host: 127.0.0.1, port: 0, admin_socket_path: ./admin.sock }")
        s, http = self.serve(cfg)
        self.assertEqual(http.get("/items/1")[0], 200)
        self.assertEqual(http.get("/metrics")[0], 200)
        # No credential: the TCP port has no admin routes, even for a
        # loopback peer (a reverse proxy on this host would be one).
        status, _, body = http.request("POST", "/admin/prune", {"keep": 1})
        self.assertEqual((status, body["error"]["code"]), (404, "not_found"))
        self.assertIn("admin_socket_path", body["error"]["message"])
        self.assertEqual(s.admin().request("POST", "/admin/prune", {"keep": 1})[0], 200)
        sock = os.path.join(self.dir, "admin.sock")
        self.assertEqual(oct(os.stat(sock).st_mode & 0o777), "0o660")
        self.assertEqual(s.stop(), 0)
        self.assertFalse(os.path.exists(sock))  # removed at stop
        # admin_remote serves them on the TCP port; the access model still
        # refuses anonymous callers unless auth.anonymous_admin says so.
        rest = "{ host: 127.0.0.1, port: 0, admin_remote: true }"
        s, http = self.serve(self.config(rest=rest))
        status, _, body = http.request("POST", "/admin/prune", {"keep": 1})
        self.assertEqual(status, 401)
        self.assertIn("auth.anonymous_admin", body["error"]["message"])
        self.assertEqual(s.stop(), 0)
        s, http = self.serve(self.config(rest=rest, extra="auth: { anonymous_admin: true }\n"))
        self.assertEqual(http.request("POST", "/admin/prune", {"keep": 1})[0], 200)
        self.assertEqual(s.stop(), 0)

    def test_bad_key_config_is_refused_without_echoing_the_key(self):
        cfg = self.config(rest="{ port: 0, api_keys: ['has space'] }")
        code, _, err = run_cli(cfg, "run", timeout=60)
        self.assertNotEqual(code, 0, err)
        self.assertIn("api_keys.0", err)
        self.assertIn("printable ASCII", err)
        self.assertNotIn("has space", err)


class LimitsTest(ServiceTest):
    def test_listens_on_loopback_by_default(self):
        cfg = self.config(rest="{ port: 0 }")
        s, http = self.serve(cfg)
        self.assertRegex(s.base, r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual(s.stop(), 0)

    def test_body_and_limit_caps(self):
        cfg = self.config(rest="{ host: 127.0.0.1, port: 0, max_body_bytes: 64 }")
        s, http = self.serve(cfg)
        query = {"$filter": {"name": {"$eq": "x" * 100}}}
        status, _, body = http.request("POST", "/items/query", query)
        self.assertEqual(status, 413)
        self.assertIn("max_body_bytes", body["error"]["message"])
        http = Http(s.base)  # the server closed that connection
        status, _, body = http.post("/items/query", {"$limit": 10001})
        self.assertEqual(status, 400)
        self.assertIn("$limit 10001 exceeds the maximum 10000", body["error"]["message"])
        status, _, body = http.get("/items?limit=10001")
        self.assertEqual(status, 400)
        self.assertIn("$limit 10001 exceeds the maximum 10000", body["error"]["message"])
        self.assertEqual(len(http.post("/items/query", {"$limit": 10000})[2]), 10)
        self.assertEqual(s.stop(), 0)

    def test_configured_limit_cap(self):
        cfg = self.config(extra="query: { max_limit: 5, default_limit: 3 }\n")
        s, http = self.serve(cfg)
        status, _, body = http.post("/items/query", {"$limit": 6})
        self.assertEqual(status, 400)
        self.assertIn("$limit 6 exceeds the maximum 5", body["error"]["message"])
        self.assertEqual(http.get("/items?limit=6")[0], 400)
        self.assertEqual(len(http.get("/items")[2]), 3)
        self.assertEqual(len(http.get("/items?limit=5")[2]), 5)
        self.assertEqual(s.stop(), 0)


class PathEscapeTest(ServiceTest):
    """Names that would reach outside the home or plugin directories are refused."""

    def refused(self, yaml, *needles, command="migrate"):
        path = os.path.join(self.dir, "sluice.yaml")
        with open(path, "w") as f:
            f.write(yaml)
        code, out, err = run_cli(path, command, timeout=60)
        self.assertNotEqual(code, 0, out + err)
        for n in needles:
            self.assertIn(n, err)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "home", "..", "x")))
        return code, err

    def base(self, name="items", path="/items", table="items", storage="leveldb", api="rest: { port: 0 }"):
        write_csv(self.data("items.csv"), ["id"], [(1,)])
        return (f"home_dir: ./home\nstorage: {{ plugin: {storage} }}\n"
                "connections:\n  - { name: files, plugin: csv, options: { path: ./data } }\n"
                f"endpoints:\n  - name: {name}\n    path: {path}\n    connection: files\n"
                f"    table: {table}\n    index: {{ primary_key: [id] }}\n"
                f"api:\n  {api}\n")

    def test_endpoint_name_with_dots(self):
        code, err = self.refused(self.base(name='"../x"'), "endpoints[0].name", '"../x"')
        self.assertEqual(code, 2)

    def test_endpoint_name_with_slash(self):
        self.assertEqual(self.refused(self.base(name='"a/b"'), "endpoints[0].name")[0], 2)

    def test_endpoint_path_with_dot_segments(self):
        code, err = self.refused(self.base(path="/../x"), "endpoints[0].path", "..")
        self.assertEqual(code, 2)

    def test_csv_table_outside_the_connection_directory(self):
        secret = os.path.join(self.dir, "secret.csv")
        write_csv(secret, ["id"], [(1,)])
        code, err = self.refused(self.base(table="../secret"), "../secret", "is not a plain file name",
                                 "without '/'")
        self.assertEqual(code, 2)
        code, err = self.refused(self.base(table="../../etc/passwd"), "../../etc/passwd", "plain file name")
        self.assertEqual(code, 2)
        code, err = self.refused(self.base(table="../secret"), "../secret", "plain file name", command="run")
        self.assertEqual(code, 2)  # a configuration error for `run` too

    def test_plugin_names_cannot_be_paths(self):
        code, err = self.refused(self.base(storage='"../../tmp/evil"'), "storage.plugin", "../../tmp/evil")
        self.assertEqual(code, 2)
        code, err = self.refused(self.base(api='rest: { plugin: "/tmp/evil" }'), "api.rest.plugin", "/tmp/evil")
        self.assertEqual(code, 2)
        code, err = self.refused(self.base(api='"../rest": {}'), "api")
        self.assertEqual(code, 2)


if __name__ == "__main__":
    unittest.main()
