#!/usr/bin/env bash
# The README's Quick start timed on a fresh clone: `npm ci`, then `npm start` until the home page answers.
#   tests/bench/tools/freshInstall.sh [repository (default: this one)] [branch (default: the current one)]
# Prints the seconds of each step; the clone and its data folder are removed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
repo="${1:-$here}"
branch="${2:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}"
dir="$(mktemp -d /tmp/gopy-fresh-XXXXXX)"
port="${PORT:-3210}"
server=""
cleanup() {
  # npm start runs the server as a grandchild: end its whole process group (started by setsid below).
  if [ -n "$server" ]; then kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

git clone -q --branch "$branch" "$repo" "$dir/clone"
cd "$dir/clone"
echo "fresh clone of $repo ($branch, $(git rev-parse --short HEAD)) in $dir; load average $(cut -d' ' -f1-3 /proc/loadavg)"

t0=$(date +%s.%N)
npm ci --no-audit --no-fund >"$dir/npm-ci.log" 2>&1 || { tail -30 "$dir/npm-ci.log"; exit 1; }
t1=$(date +%s.%N)
echo "npm ci: $(echo "$t1 - $t0" | bc) s ($(grep -c . "$dir/npm-ci.log") lines of output, $(find node_modules -maxdepth 2 -name package.json | wc -l) top-level packages)"

PORT="$port" HOST=127.0.0.1 GOPY_DATA_DIR="$dir/data" setsid npm start >"$dir/start.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do
  if ! kill -0 "$server" 2>/dev/null; then tail -30 "$dir/start.log"; exit 1; fi
  sleep 0.2
done
t2=$(date +%s.%N)
echo "npm start to the home page: $(echo "$t2 - $t1" | bc) s"
echo "npm ci && npm start to a served page: $(echo "$t2 - $t0" | bc) s"
