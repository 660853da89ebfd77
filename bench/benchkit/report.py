"""Result tables: printed as aligned text, written as Markdown."""


class Table:
    """One benchmark's results: a header, rows, target verdicts and notes."""

    def __init__(self, title, header):
        self.title, self.header = title, header
        self.rows, self.targets, self.notes = [], [], []
        self.context = []   # (label, text): what the figures depend on (commit, load, ...)
        self.configs = []   # (label, YAML) of every sluice config the table ran
        self.plans = []     # (label, plan text) of every baseline query plan

    def use_config(self, label, yaml):
        """Records a sluice config this table's rows ran with (once per text)."""
        if all(y != yaml for _, y in self.configs):
            self.configs.append((label, yaml))

    def plan(self, label, text):
        """Records a baseline's query plan (EXPLAIN output) for one of the rows."""
        self.plans.append((label, text.strip()))

    def row(self, *cells):
        self.rows.append([str(c) for c in cells])

    def target(self, text, measured, met):
        """A target of the issue and whether this run met it (None: not measured)."""
        self.targets.append((text, measured, met))

    def note(self, text):
        self.notes.append(text)

    def text(self):
        widths = [max(len(r[i]) for r in [self.header] + self.rows) for i in range(len(self.header))]
        line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        out = ["", "== " + self.title, line(self.header), line(["-" * w for w in widths])]
        out += [line(r) for r in self.rows]
        out += ["target: %s -> %s [%s]" % (t, m, verdict(ok)) for t, m, ok in self.targets]
        out += ["note: " + n for n in self.notes]
        out += ["%s: %s" % kv for kv in self.context]
        for label, yaml in self.configs:
            out += ["config (%s):" % label] + ["  " + line for line in yaml.splitlines()]
        for label, text in self.plans:
            out += ["plan (%s):" % label] + ["  " + line for line in text.splitlines()]
        return "\n".join(out)

    def markdown(self):
        out = ["## " + self.title, "", "| " + " | ".join(self.header) + " |",
               "|" + "---|" * len(self.header)]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        out.append("")
        for t, m, ok in self.targets:
            out.append("- target: %s: **%s** (%s)" % (t, verdict(ok), m))
        for n in self.notes:
            out.append("- " + n)
        out.append("")
        for label, text in self.context:
            out.append("- %s: %s" % (label, text))
        for label, yaml in self.configs:
            out += ["", "sluice config (%s):" % label, "", "```yaml", yaml.rstrip(), "```"]
        for label, text in self.plans:
            out += ["", "plan (%s):" % label, "", "```", text, "```"]
        return "\n".join(out) + "\n"


def verdict(ok):
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def rate(x):
    """A rate with a k/M suffix: 385k, 1.60M."""
    if x >= 1e6:
        return "%.2fM" % (x / 1e6)
    if x >= 1e4:
        return "%.0fk" % (x / 1e3)
    if x >= 1e3:
        return "%.1fk" % (x / 1e3)
    return "%.0f" % x


def mb(kib):
    return "%.0f MB" % (kib / 1024.0) if kib else "n/a"


def ms(us):
    return "%.2f ms" % (us / 1000.0)


def ratio(a, b):
    return "%.2fx" % (a / b) if b else "n/a"


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return 0
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]
