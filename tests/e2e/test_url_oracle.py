"""GET URL filters, select and order against SQLite (docs/query.md,
"Queries in URLs"): random tables with nulls and awkward strings are
served by sluice and loaded into SQLite (Python's sqlite3); random URL
queries (every operator, not., nested or/and groups, in-lists with nulls,
quoted values, select, order, limit) are sent over real HTTP, and their
answers compared with the same query written in SQL, record for record,
in order. SQL uses two-valued logic like sluice: each comparison with a
null is false (IFNULL(..., 0)), so NOT works as $not does."""
import json
import random
import sqlite3
import unittest
import urllib.parse

from harness import Http, TempDirTest, wait_ready, write_config

FIELDS = [("id", "int64"), ("a", "int64"), ("f", "float64"), ("s", "string"), ("b", "bool"),
          ("d", "date")]
TEXTS = ["", "x", "a,b", "(p)", 'say "hi"', "back\\slash", " lead", "null", "é", "x y", "b", "ab"]
SEEDS = 3
QUERIES = 150


def value(rng, kind):
    if kind == "int64":
        return rng.randint(-5, 5)
    if kind == "float64":
        return rng.choice([-1.5, 0.0, 0.25, 2.0, 3.75, 10.5])
    if kind == "string":
        return rng.choice(TEXTS)
    if kind == "bool":
        return rng.choice([True, False])
    return "2024-02-%02d" % rng.randint(1, 9)


def make_rows(rng, n):
    rows = []
    for i in range(1, n + 1):
        row = {"id": i}
        for name, kind in FIELDS[1:]:
            row[name] = None if rng.random() < 0.2 else value(rng, kind)
        rows.append(row)
    return rows


def csv_text(rows):
    def cell(v, kind):
        if v is None:
            return ""
        if kind == "string":
            return '"' + v.replace('"', '""') + '"'
        if kind == "bool":
            return "true" if v else "false"
        return str(v)
    lines = [",".join(n for n, _ in FIELDS)]
    lines += [",".join(cell(r[n], k) for n, k in FIELDS) for r in rows]
    return "\n".join(lines) + "\n"


def url_value(v, kind, inside):
    """A value as the URL writes it: inside parentheses quoted when needed."""
    if kind == "bool":
        text = "true" if v else "false"
    else:
        text = str(v)
    if inside and kind == "string":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


class Gen:
    """Random conditions as (URL text, SQL, SQL args)."""

    def __init__(self, rng):
        self.rng = rng

    def cond(self, inside):
        rng = self.rng
        name, kind = rng.choice(FIELDS)
        ops = ["eq", "neq", "lt", "lte", "gt", "gte", "in", "is"]
        op = rng.choice(ops)
        if kind == "bool" and op in ("lt", "lte", "gt", "gte"):
            op = "eq"
        col = '"%s"' % name
        args = []
        if op == "is":
            if kind == "bool" and rng.random() < 0.5:
                v = rng.choice([True, False])
                text, sql = "is." + ("true" if v else "false"), f"IFNULL({col} = ?, 0)"
                args = [int(v)]
            else:
                text, sql = "is.null", f"{col} IS NULL"
        elif op == "in":
            vals = [None if rng.random() < 0.2 else value(rng, kind) for _ in range(rng.randint(0, 3))]
            text = "in.(" + ",".join("null" if v is None else url_value(v, kind, True) for v in vals) + ")"
            present = [v for v in vals if v is not None]
            parts = []
            if present:
                parts.append(f"IFNULL({col} IN ({','.join('?' * len(present))}), 0)")
                args = [int(v) if kind == "bool" else v for v in present]
            if None in vals:
                parts.append(f"{col} IS NULL")
            sql = "(" + (" OR ".join(parts) or "0") + ")"
        else:
            v = value(rng, kind)
            sql_op = {"eq": "=", "neq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op]
            sql = f"IFNULL({col} {sql_op} ?, 0)"
            if op == "neq":
                sql = f"NOT {sql}"
            args = [int(v) if kind == "bool" else v]
            text = op + "." + url_value(v, kind, inside)
        if rng.random() < 0.25:
            text, sql = "not." + text, f"NOT ({sql})"
        return name, text, sql, args

    def group(self, depth):
        rng = self.rng
        is_or = rng.random() < 0.6
        items, sqls, args = [], [], []
        for _ in range(rng.randint(0, 3)):
            if depth < 2 and rng.random() < 0.3:
                t, s, a = self.group(depth + 1)
            else:
                name, text, s, a = self.cond(True)
                t = name + "." + text
            items.append(t)
            sqls.append(s)
            args += a
        joiner = " OR " if is_or else " AND "
        sql = "(" + (joiner.join(sqls) if sqls else ("0" if is_or else "1")) + ")"
        word = "or" if is_or else "and"
        if rng.random() < 0.2:
            return "not." + word + "(" + ",".join(items) + ")", f"NOT {sql}", args
        return word + "(" + ",".join(items) + ")", sql, args


class UrlOracleTest(TempDirTest):
    def test_random_url_queries_match_sqlite(self):
        rng = random.Random(20)
        tables = []
        for seed in range(SEEDS):
            rows = make_rows(random.Random(seed), 120 + 40 * seed)
            with open(self.data(f"t{seed}.csv"), "w") as f:
                f.write(csv_text(rows))
            tables.append(rows)
        types = {n: k for n, k in FIELDS}
        endpoints = [{"name": f"t{i}", "primary_key": ["id"], "secondary": [["a"], ["s", "f"]],
                      "options": {"types": types}} for i in range(SEEDS)]
        s = self.start(write_config(self.dir, endpoints), "run")
        http = Http(s.wait_listening())
        for i, rows in enumerate(tables):
            wait_ready(http, f"t{i}", rows=len(rows))
        for i, rows in enumerate(tables):
            db = sqlite3.connect(":memory:")
            db.execute('CREATE TABLE t ("id" INTEGER PRIMARY KEY, "a" INTEGER, "f" REAL, "s" TEXT, '
                       '"b" INTEGER, "d" TEXT)')
            db.executemany("INSERT INTO t VALUES (?,?,?,?,?,?)",
                           [tuple(int(r[n]) if n == "b" and r[n] is not None else r[n]
                                  for n, _ in FIELDS) for r in rows])
            gen = Gen(rng)
            for _ in range(QUERIES):
                self.check_one(http, f"/t{i}", db, gen, rng)
            self.check_paging(http, f"/t{i}", db)
        self.assertEqual(s.stop(), 0)

    def check_paging(self, http, path, db):
        """GET pages chained with after= (the last record, as returned) give
        the whole ordered answer once, as POST paging does."""
        names = [n for n, _ in FIELDS]
        want = [dict(zip(names, r)) for r in db.execute(
            'SELECT * FROM t WHERE IFNULL("a" > ?, 0) ORDER BY "f" DESC, "id" DESC', [-3])]
        for r in want:
            r["b"] = None if r["b"] is None else bool(r["b"])
        got, after = [], None
        while True:
            q = "a=gt.-3&order=f.desc&limit=7&select=id,f,a,s,b,d"
            if after is not None:
                q += "&after=" + urllib.parse.quote(json.dumps(after), safe="")
            status, _, page = http.get(path + "?" + q)
            self.assertEqual(status, 200, page)
            if not page:
                break
            got += page
            after = page[-1]
        self.assertEqual(got, [{k: r[k] for k in ("id", "f", "a", "s", "b", "d")} for r in want])

    def check_one(self, http, path, db, gen, rng):
        params, where, args = [], [], []
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.3:
                text, sql, a = gen.group(0)
                word = text.split("(", 1)[0]
                params.append((word, text[len(word):]))
            else:
                name, text, sql, a = gen.cond(False)
                params.append((name, text))
            where.append(sql)
            args += a
        order = rng.sample([n for n, _ in FIELDS], rng.randint(0, 2))
        dirs = [rng.choice(["asc", "desc"]) for _ in order]
        if order:
            params.append(("order", ",".join(f"{n}.{d}" for n, d in zip(order, dirs))))
        select = rng.sample([n for n, _ in FIELDS], rng.randint(1, len(FIELDS))) if rng.random() < 0.5 else None
        if select:
            params.append(("select", ",".join(select)))
        limit = rng.choice([None, 5, 50, 500])
        if limit:
            params.append(("limit", str(limit)))
        query = "&".join(k + "=" + urllib.parse.quote(v, safe="") for k, v in params)
        status, _, got = http.get(path + "?" + query)
        self.assertEqual(status, 200, (query, got))
        # The SQL of the same query: pk last, in the last term's direction.
        terms = [f'"{n}" {d.upper()}' for n, d in zip(order, dirs)]
        if "id" not in order:
            terms.append('"id" ' + (dirs[-1].upper() if dirs else "ASC"))
        else:  # terms after the key do not matter
            terms = terms[:order.index("id") + 1]
        sql = "SELECT * FROM t WHERE " + (" AND ".join(where) or "1") + " ORDER BY " + ", ".join(terms)
        sql += f" LIMIT {limit or 50}"
        want = []
        for row in db.execute(sql, args):
            rec = dict(zip([n for n, _ in FIELDS], row))
            if rec["b"] is not None:
                rec["b"] = bool(rec["b"])
            want.append({n: rec[n] for n in (select or [n for n, _ in FIELDS])})
        self.assertEqual(got, want, f"{path}?{query}\nSQL: {sql} {args}")
        if select:
            for rec in got:
                self.assertEqual(list(rec.keys()), select)


if __name__ == "__main__":
    unittest.main()
