#!/usr/bin/env bash
# check_format.sh — fails if any of our C++ files differs from what .clang-format asks for.
# clang-format 14 is pinned (STYLE G17): other versions format some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=$(command -v clang-format-14 || command -v clang-format) || {
  echo "check_format: clang-format-14 not found (scripts/install-deps installs it)" >&2
  exit 1
}
mapfile -d '' files < <(find crdt proto storage history server client tools bench testkit tests fuzz conformance \
  \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) -type f -print0 2>/dev/null | sort -z)
((${#files[@]} > 0)) || exit 0

if ! "$clang_format" --dry-run --Werror "${files[@]}"; then
  echo "check_format: run  $clang_format -i <file>  on the files above" >&2
  exit 1
fi
echo "format: ok (${#files[@]} files)"
