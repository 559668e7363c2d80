#!/usr/bin/env python3
"""Write the benchmark payloads into DIR: realistic PostToolUseFailure events
of ~5 KB (a build log holding a fake AWS key and a fake GitHub token) and
~1 MB (Rust source text as the error), as Claude Code 2.1.330 sends them."""
import glob, json, os, sys

out = sys.argv[1]
root = os.path.join(os.path.dirname(__file__), "..")
fake_aws = "AKIA" + "QX7RT2LM9WN4VB8P"
fake_gh = "ghp_" + "Lq8Wz3Kr7Tn2Vm6Xb1Hc5Jd9Fg4Sa0Pe3Uy7"

def event(error):
    return {
        "session_id": "3f9d1c2e-8b7a-4e6f-9d0c-1a2b3c4d5e6f",
        "transcript_path": "/home/dev/.claude/projects/-work-shop/3f9d1c2e-8b7a-4e6f-9d0c-1a2b3c4d5e6f.jsonl",
        "cwd": "/work/shop", "prompt_id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        "permission_mode": "default", "effort": {"level": "high"},
        "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
        "tool_input": {"command": "cargo build --release 2>&1 | tail -80", "description": "Build the project"},
        "tool_use_id": "toolu_01HXk9Qm2Lr7Wt4Yb8Nc3Vd6", "error": error,
        "is_interrupt": False, "duration_ms": 48213,
    }

log = ["Exit code 101", f"AWS_ACCESS_KEY_ID={fake_aws} cargo build", f"note: using GITHUB_TOKEN={fake_gh} for private deps"]
i = 0
while len(json.dumps(event("\n".join(log)))) < 4975:
    i += 1
    log.append(f"   Compiling shop-core v0.{i}.0 (/work/shop/crates/core)\nwarning: unused variable: `conn{i}`\n  --> crates/core/src/db.rs:{40+i}:9")
open(os.path.join(out, "fail-5k.json"), "w").write(json.dumps(event("\n".join(log))))

# Answered events: a PreToolUse the guard lets through, one it denies, and a
# ~5 KB failure that gets advice (a pnpm project missing a module).
def pre(command):
    return {
        "session_id": "3f9d1c2e-8b7a-4e6f-9d0c-1a2b3c4d5e6f",
        "transcript_path": "/home/dev/.claude/projects/-work-shop/3f9d1c2e.jsonl",
        "cwd": "/work/shop", "permission_mode": "default",
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": command, "description": "Run it"},
        "tool_use_id": "toolu_01HXk9Qm2Lr7Wt4Yb8Nc3Vd6",
    }
open(os.path.join(out, "pre-allow.json"), "w").write(json.dumps(pre(
    "cd /work/shop && cargo test --workspace 2>&1 | tail -80; git status --short && rm -rf target/tmp")))
open(os.path.join(out, "pre-deny.json"), "w").write(json.dumps(pre(
    "sudo env FOO=1 bash -c 'rm -fr --no-preserve-root \"$HOME\"/'")))
shop = os.path.join(out, "shop")
os.makedirs(shop, exist_ok=True)
open(os.path.join(shop, "pnpm-lock.yaml"), "w").write("lockfileVersion: '9.0'\n")
adv = event("")
adv["cwd"] = shop
adv["tool_input"] = {"command": "pnpm vitest run", "description": "Run tests"}
lines = ["Exit code 1", "Error: Cannot find module 'vitest/config'", "Require stack:"]
while len(json.dumps(adv)) + len("\n".join(lines)) < 4975:
    lines.append(f"- {shop}/node_modules/.pnpm/vite@5.4.{len(lines)}/node_modules/vite/dist/node/chunks/dep-{len(lines):04d}.js")
adv["error"] = "\n".join(lines)
open(os.path.join(out, "fail-advice-5k.json"), "w").write(json.dumps(adv))

src = []
for path in sorted(glob.glob(os.path.join(root, "crates/*/src/**/*.rs"), recursive=True)):
    src.append(open(path, encoding="utf-8", errors="replace").read())
text = "\n".join(src)
while len(text) < 1_030_000:
    text += "\n" + text
big = event("Exit code 1\n" + text[:1_030_000])
open(os.path.join(out, "fail-1m.json"), "w").write(json.dumps(big))
print(os.path.getsize(os.path.join(out, "fail-5k.json")), os.path.getsize(os.path.join(out, "fail-1m.json")))
