#!/bin/sh
# Sets up the checkout: pnpm, dependencies (frozen lockfile), and a build of every package.
# Idempotent and quick when nothing changed.
set -eu
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

if command -v pnpm >/dev/null 2>&1; then
  PNPM=pnpm
elif npm install -g pnpm@10 >/dev/null 2>&1 && command -v pnpm >/dev/null 2>&1; then
  PNPM=pnpm
else
  PNPM="npx --yes pnpm@10"
fi

if ! command -v tmux >/dev/null 2>&1; then
  echo "setup: tmux is not installed; sessions need it (e.g. apt-get install tmux)" >&2
fi

$PNPM install --frozen-lockfile --prefer-offline --reporter=append-only >/dev/null
$PNPM exec turbo run build --output-logs=errors-only
