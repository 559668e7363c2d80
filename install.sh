#!/usr/bin/env bash
# Build and install hookwatch, then register it in Claude Code (user scope).
# Where Claude Code is not installed, run the demo instead.
set -euo pipefail
cd "$(dirname "$0")"
cargo install --locked --path crates/hookwatch
bin="${CARGO_HOME:-$HOME/.cargo}/bin/hookwatch"
if command -v claude >/dev/null 2>&1; then
  "$bin" install --scope user
  echo "Done. Every Claude Code session now records into hookwatch; try \`hookwatch events\` after your next prompt."
else
  echo "Claude Code (claude) is not on PATH: running the demo instead."
  "$bin" demo
  echo "Install Claude Code, then run: hookwatch install"
fi
