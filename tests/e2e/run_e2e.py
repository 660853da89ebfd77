"""Runs the tests of one e2e file as CTest's command: like
`python3 -m unittest -v FILE`, but exits 77 (SKIP_RETURN_CODE in
tests/CMakeLists.txt) when every test of the file was skipped, so that CTest
reports the file as skipped (e.g. no nats-server, no PostgreSQL) instead of
passed. Exit codes: 0 passed, 1 failed or errored, 77 all skipped.

    python3 run_e2e.py test_nats_cluster [more unittest names]
"""
import os
import sys
import unittest

SKIPPED = 77


def main(names):
    if not names:
        print("usage: run_e2e.py TEST_MODULE...", file=sys.stderr)
        return 2
    sys.path.insert(0, os.getcwd())  # as `python3 -m unittest` does
    suite = unittest.defaultTestLoader.loadTestsFromNames(names)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun > 0 and len(result.skipped) == result.testsRun:
        print(f"every test of {' '.join(names)} was skipped", file=sys.stderr)
        return SKIPPED
    if result.testsRun == 0:
        print(f"{' '.join(names)}: no tests found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
