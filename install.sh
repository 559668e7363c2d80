#!/usr/bin/env bash
# Build and install hookwatch, then register it in Claude Code (user scope).
# Where Claude Code is not installed, run the demo instead.
#
# cargo decides where the binary goes (--root, CARGO_INSTALL_ROOT,
# `[install] root` in a cargo config, CARGO_HOME, ~/.cargo); this script
# runs the binary from the path cargo reports having installed.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "install.sh: cargo is not on PATH; install Rust from https://rustup.rs first" >&2; exit 1; }
# On Linux/glibc, link statically: ~0.3 ms less per hook (no dynamic loader),
# and the hook runs on every tool call (BENCHMARKS.md). An explicit --target
# keeps build scripts and proc macros dynamic, as they must be.
# relocation-model=static: a static-PIE binary applies its relocations at
# every start, touching ~20 more pages (0.06 ms of a ~1 ms hook, BENCHMARKS.md);
# the price is no ASLR for hookwatch's own code.
# The hook path's functions are placed together by crates/hookwatch/build.rs
# in every release build (BENCHMARKS.md, "Code layout").
host=$(rustc -vV | sed -n 's/^host: //p')
args=(install --locked --path crates/hookwatch)
case "$host" in
  *-linux-gnu) export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=static"
               args+=(--target "$host") ;;
esac
echo "install.sh: building hookwatch in release mode (whole-program optimisation: about 4 minutes on 2 cores)" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo "${args[@]}" 2>&1 | tee "$log" >&2
# cargo ends with "Installing /root/bin/hookwatch" (or "Replacing ...").
# (Colour codes, if CARGO_TERM_COLOR=always forced them, are taken off first.)
bin=$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" | sed -n 's/^ *\(Installing\|Replacing\) \(\/.*\/hookwatch\)$/\2/p' | tail -n 1)
if [ -z "$bin" ]; then
  root=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
  bin=$root/bin/hookwatch
fi
if [ ! -x "$bin" ]; then
  echo "install.sh: cargo installed hookwatch, but not at $bin; run \`cargo install --list\` to see where, then \`hookwatch install\`" >&2
  exit 1
fi
echo "install.sh: installed $bin"
case ":$PATH:" in
  *":$(dirname "$bin"):"*) ;;
  *) echo "install.sh: $(dirname "$bin") is not on your PATH; add it to run \`hookwatch\` by name (Claude Code runs it by its full path)" ;;
esac
if command -v claude >/dev/null 2>&1; then
  "$bin" install --scope user
  echo "Done. Every Claude Code session now records into hookwatch; try \`hookwatch events\` after your next prompt."
else
  echo "Claude Code (claude) is not on PATH: running the demo instead."
  "$bin" demo
  echo "Install Claude Code, then run: $bin install"
fi
