#!/bin/sh
# Sets up the checkout: pnpm, dependencies (frozen lockfile), and a build of every package.
# Idempotent and quick when nothing changed. Prints one line per step; a step's own output is
# kept in a temp log and printed only when the step fails, so a failure is never silent.
set -eu
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

LOG=$(mktemp "${TMPDIR:-/tmp}/sm-setup.XXXXXX")
trap 'rm -f "$LOG"' EXIT INT TERM

# try "what" command...: runs the command with its output in $LOG; on failure prints the log
# and returns the command's exit status
try() {
  what=$1
  shift
  printf 'setup: %s... ' "$what" >&2
  status=0
  "$@" >"$LOG" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    echo 'ok' >&2
    return 0
  fi
  echo "FAILED (exit $status)" >&2
  echo "---- output of: $* ----" >&2
  cat "$LOG" >&2
  echo '---- end of output ----' >&2
  return "$status"
}

# step "what" command...: like try, but setup stops when it fails
step() {
  try "$@" || {
    status=$?
    echo "setup: stopped: $1 failed" >&2
    exit "$status"
  }
}

if command -v pnpm >/dev/null 2>&1; then
  PNPM=pnpm
elif try 'installing pnpm (npm install -g pnpm@10)' npm install -g pnpm@10 && command -v pnpm >/dev/null 2>&1; then
  PNPM=pnpm
else
  echo 'setup: pnpm not on PATH after installing it; using npx pnpm@10' >&2
  PNPM="npx --yes pnpm@10"
fi

if ! command -v tmux >/dev/null 2>&1; then
  echo "setup: tmux is not installed; sessions need it (e.g. apt-get install tmux)" >&2
fi

# $PNPM is split on purpose ("npx --yes pnpm@10")
# shellcheck disable=SC2086
step 'installing dependencies (pnpm install --frozen-lockfile)' $PNPM install --frozen-lockfile --prefer-offline --reporter=append-only
# shellcheck disable=SC2086
step 'building (turbo run build)' $PNPM exec turbo run build --output-logs=errors-only
