#!/usr/bin/env bash
# Reports C and C++ files that differ from .clang-format (the house style).
# Exit 0 when every file is formatted, 1 otherwise (listing the files and
# the command that fixes them), 77 when clang-format is not installed.
# Usage: scripts/check_format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
CF="$(command -v clang-format-14 || command -v clang-format || true)"
if [ -z "$CF" ]; then
  echo "clang-format not found: skipped (scripts/deps.sh installs it)"
  exit 77
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cc' '*.h' '*.c' '*.inc')
else
  mapfile -t files < <(find sdk host plugins tests fuzz bench examples \
    -type f \( -name '*.cc' -o -name '*.h' -o -name '*.c' -o -name '*.inc' \) | sort)
fi
if [ "${1:-}" = "--fix" ]; then
  "$CF" -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  "$CF" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "not formatted as .clang-format says (${#bad[@]} files):"
  printf '  %s\n' "${bad[@]}"
  echo "fix with: scripts/check_format.sh --fix"
  exit 1
fi
echo "all ${#files[@]} files formatted"
