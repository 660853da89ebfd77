#!/usr/bin/env python3
"""Checks that host/ is a DAG of layers: a file in one folder of host/ may
include headers of its own folder and of lower layers only.

The order, lowest first (docs/architecture.md, "Layers"):

  util < core < config < plugin < storage < runtime < cache < query
       < access < pipeline < migrate < registry < service < cli

host/tests/ and host/main.cc may include anything. Exit 0 when every
include respects the order; 1 listing each one that does not."""
import os
import re
import sys

LAYERS = ["util", "core", "config", "plugin", "storage", "runtime", "cache", "query",
          "access", "pipeline", "migrate", "registry", "service", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"')


def main():
    host = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "host")
    host = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else host)
    rank = {name: i for i, name in enumerate(LAYERS)}
    problems, checked = [], 0
    for folder in sorted(os.listdir(host)):
        path = os.path.join(host, folder)
        if not os.path.isdir(path) or folder == "tests":
            continue
        if folder not in rank:
            problems.append(f"host/{folder}/ is not a known layer: add it to LAYERS in "
                            f"tests/tools/check_layers.py and to docs/architecture.md")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".h", ".cc")):
                continue
            checked += 1
            with open(os.path.join(path, name), encoding="utf-8") as f:
                for line_no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m or m.group(1) == "sluice" or m.group(1) not in rank:
                        continue
                    if rank[m.group(1)] > rank[folder]:
                        problems.append(f"host/{folder}/{name}:{line_no}: includes "
                                        f"{m.group(1)}/, a higher layer than {folder}/")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layer order "
              f"{' < '.join(LAYERS)}")
        return 1
    print(f"{checked} files of host/ respect the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
