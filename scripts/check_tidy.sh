#!/usr/bin/env bash
# check_tidy.sh — runs clang-tidy 14 (.clang-tidy: naming and the bug-prone checks, STYLE G4, G17)
# on the changed C++ files with the asan build's compile commands, in parallel. Prints each file
# it checks and ends with "check_tidy: N passed, M failed" (one test per file); exits non-zero if
# any file has a finding or does not compile.
#
#   scripts/check_tidy.sh                 the changed files (below)
#   scripts/check_tidy.sh --all           every C++ file of ours
#   scripts/check_tidy.sh <path>...       these files, or every C++ file under these folders
#   scripts/check_tidy.sh --list [...]    only prints the files it would check
#
# Changed = the working tree against HEAD (staged, unstaged, untracked), plus the commits not yet
# on the upstream (@{upstream}..HEAD, from their merge base) when the branch has an upstream and is
# ahead of it; otherwise the last commit (HEAD~1..HEAD). So a developer checks their own work and
# CI's clean clone of main checks the commit it is testing. WEFT_TIDY_BASE=<rev> overrides the base
# (e.g. origin/main). With no parent to compare with (a root commit, a depth-1 clone), every file
# is checked.
#
# A changed header is checked through its own .cpp or another changed .cpp of its folder that
# includes it, or else by itself with the flags of a sibling .cpp.
# Environment: WEFT_TIDY_BUILD (default build/asan), WEFT_TIDY_JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${WEFT_TIDY_BUILD:-build/asan}
jobs=${WEFT_TIDY_JOBS:-$(nproc)}
folders='crdt|proto|storage|history|server|client|tools|bench|tests|fuzz|testkit'
export GIT_OPTIONAL_LOCKS=0   # read-only: never refresh the index behind the developer's back

clang_tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || {
  echo "check_tidy: clang-tidy-14 not found (scripts/install-deps installs it)" >&2
  exit 1
}

# ours: keeps, from paths on stdin, the C++ files of our folders that exist.
ours() {
  grep -E "^($folders)/.*\.(cpp|cc|hpp|h)$" | sort -u | while IFS= read -r f; do
    [[ -f $f ]] && echo "$f"
  done || true
}

# all_files [<path>...]: every C++ file of ours (under the given paths).
all_files() {
  git ls-files --cached --others --exclude-standard -- "$@" | ours
}

# changed_files: the working tree's changes plus the commits described above.
changed_files() {
  local base=${WEFT_TIDY_BASE:-} what
  if [[ -n $base ]]; then
    what="$base..HEAD"
  elif git rev-parse -q --verify '@{upstream}' >/dev/null 2>&1 &&
    (($(git rev-list --count '@{upstream}..HEAD') > 0)); then
    base=$(git merge-base '@{upstream}' HEAD)
    what="the commits not on $(git rev-parse --abbrev-ref '@{upstream}')"
  elif git rev-parse -q --verify HEAD~1 >/dev/null; then
    base=HEAD~1
    what="the last commit"
  else
    echo "check_tidy: HEAD has no parent here (root commit or shallow clone): every file" >&2
    all_files
    return
  fi
  echo "check_tidy: the working tree and $what ($(git rev-parse --short "$base")..HEAD)" >&2
  {
    git diff --name-only --no-renames --diff-filter=d "$base"
    git ls-files --others --exclude-standard
  } | ours
}

list_only=0
if [[ ${1:-} == --list ]]; then
  list_only=1
  shift
fi
if (($# == 0)); then
  mapfile -t files < <(changed_files)
elif [[ $1 == --all ]]; then
  mapfile -t files < <(all_files)
else
  mapfile -t files < <(all_files "$@")
fi
if ((list_only)); then
  ((${#files[@]} == 0)) || printf '%s\n' "${files[@]}"
  exit 0
fi
[[ -f $build/compile_commands.json ]] || {
  echo "check_tidy: no $build/compile_commands.json (run: cmake --preset asan)" >&2
  exit 1
}
if ((${#files[@]} == 0)); then
  echo "check_tidy: no changed C++ files"
  echo "check_tidy: 0 passed, 0 failed"
  exit 0
fi

# Plan the runs, so that each file is parsed once: every changed source is a run; a changed header
# rides along with its own source (same folder and name) or else with a changed source of its
# folder that includes it, and is judged with the flags it is built with; any other header is a
# run of its own, with the flags of a sibling source (clang infers them).
sources=()
headers=()
for f in "${files[@]}"; do
  case $f in
    *.cpp | *.cc) sources+=("$f") ;;
    *) headers+=("$f") ;;
  esac
done
declare -A riders=()
alone=()
for h in "${headers[@]}"; do
  owner=""
  for src in "${sources[@]}"; do
    if [[ ${src%.*} == "${h%.*}" ]]; then
      owner=$src
      break
    fi
  done
  if [[ -z $owner ]] && ((${#sources[@]} > 0)); then
    mapfile -t includers < <(grep -lF "#include \"$h\"" "${sources[@]}") || true
    for src in "${includers[@]}"; do
      [[ ${src%/*} == "${h%/*}" ]] && owner=$src && break
    done
  fi
  if [[ -n $owner ]]; then
    riders[$owner]+=" $h"
  else
    alone+=("$h")
  fi
done
runs=("${sources[@]}" "${alone[@]}")
echo "check_tidy: ${#files[@]} files in ${#runs[@]} runs with $build/compile_commands.json," \
  "$jobs at a time"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Run i writes its output to <i>.log and clang-tidy's exit status to <i>.rc. Its header filter
# matches only the headers riding along (.clang-tidy's filter would report every header of ours
# that the source includes, changed or not).
export clang_tidy build out
# shellcheck disable=SC2016  # $1..$3 below are the inner shell's arguments
for i in "${!runs[@]}"; do
  filter='^$'
  if [[ -n ${riders[${runs[$i]}]:-} ]]; then
    filter="(^|/)($(sed -E 's/^ //; s/\./\\./g; s/ /|/g' <<<"${riders[${runs[$i]}]}"))\$"
  fi
  printf '%s\0%s\0%s\0' "$i" "${runs[$i]}" "$filter"
done |
  xargs -0 -n 3 -P "$jobs" bash -c 'status=0
    "$clang_tidy" --quiet -p "$build" --header-filter="$3" "$2" >"$out/$1.log" 2>&1 || status=$?
    echo "$status" >"$out/$1.rc"' _

# One test per file: a file fails if a finding is in it; a run that failed with no finding in any
# of its files (it did not compile, say) fails its source.
counts='^[0-9]+ (warnings?|errors?)( and [0-9]+ errors?)? (generated|treated as errors?)\.?$'
passed=0
failed=0
for i in "${!runs[@]}"; do
  run=${runs[$i]}
  read -r -a covered <<<"$run ${riders[$run]:-}"
  log=$out/$i.log
  rc=$(cat "$out/$i.rc" 2>/dev/null || echo 1)
  bad=()
  for f in "${covered[@]}"; do
    if grep -qE "(^|/)${f//./\\.}:[0-9]+:[0-9]+: (warning|error):" "$log"; then bad+=("$f"); fi
  done
  if ((rc != 0 && ${#bad[@]} == 0)); then bad=("$run"); fi
  passed=$((passed + ${#covered[@]} - ${#bad[@]}))
  failed=$((failed + ${#bad[@]}))
  if ((${#bad[@]} == 0)); then
    echo "ok    ${covered[*]}"
  else
    echo "FAIL  ${covered[*]}"
    grep -vE "$counts" "$log" || true
  fi
done
echo "check_tidy: $passed passed, $failed failed"
((failed == 0))
