#!/usr/bin/env bash
# Seconds from a fresh copy of the working tree to a healthy server (GET /api/health answers 200) with `npm start`.
#
#   bash bench/time-to-healthy.sh [cold|warm]
#
# Copies the tracked and untracked (not ignored) files to a temporary folder — what a clone holds — and times three
# starts there:
#   1. first start:  npm ci + dashboard build + migrate + demo seed + listen. "cold" (the default) gives npm an empty
#                    cache, so every package comes from the registry; "warm" uses your npm cache.
#   2. installed:    node_modules present, but no dashboard build and no data (build + migrate + seed + listen).
#   3. restart:      everything present (listen on the seeded database).
# Each server is stopped (its process group only) before the next start; the copy is deleted at the end.
set -euo pipefail

MODE=${1:-cold}
case "$MODE" in cold | warm) ;; *)
  echo "usage: $0 [cold|warm]" >&2
  exit 2
  ;;
esac

SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/keyward-fresh.XXXXXX)
COPY=$WORK/keyward
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$COPY"
(cd "$SOURCE" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$COPY"
if [ "$MODE" = cold ]; then
  export npm_config_cache=$WORK/npm-cache
fi
# why: a port of our own, so a server already on 8080 neither answers for us nor makes us fail
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export PORT

# time_start LABEL: runs `npm start` in the copy and prints the seconds until /api/health answers 200.
time_start() {
  local label=$1 started=$EPOCHREALTIME log=$WORK/$1.log
  # why: setsid makes npm the leader of a new process group, so stopping it also stops node and vite under it
  (cd "$COPY" && exec setsid npm start) >"$log" 2>&1 &
  SERVER_PID=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/health" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "$label: npm start exited before the server was healthy; the end of its output:" >&2
      tail -n 30 "$log" >&2
      SERVER_PID=
      exit 1
    fi
    sleep 0.1
  done
  printf '%-12s %6.1f s\n' "$label" "$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
  kill -TERM -- "-$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

echo "npm cache: $([ "$MODE" = cold ] && echo "empty (cold)" || echo "$(npm config get cache) (warm)")"
time_start first-start
rm -rf "$COPY/data" "$COPY/apps/web/dist"
time_start installed
time_start restart
