#!/usr/bin/env python3
"""Render the output of scripts/bench as the Markdown tables of BENCHMARKS.md.

    scripts/bench > bench.out; scripts/bench-report.py bench.out
"""
import json, re, sys

text = open(sys.argv[1]).read()
parts = re.split(r"^== (.*)$", text, flags=re.M)
for title, body in zip(parts[1::2], parts[2::2]):
    print(f"**{title}**\n")
    body = body.strip()
    try:
        data = json.loads(body)
    except ValueError:
        print(body + "\n")
        continue
    if isinstance(data, dict) and "drain_ms" in data:
        w = data["worker"]
        print("| notifications | drain (ingest, route, flush, deliver) | per second | sent | retried | dead |\n|---:|---:|---:|---:|---:|---:|")
        print(f"| {data['n']} | {data['drain_ms']:.0f} ms | {data['per_second']:.0f} | {w['sent']} | {w['retried']} | {w['dead']} |\n")
        continue
    if isinstance(data, dict):
        print("| processes | p50 | p99 | max |\n|---:|---:|---:|---:|")
        print(f"| {data['n']} | {data['p50_ms']:.1f} ms | {data['p99_ms']:.1f} ms | {data['max_ms']:.1f} ms |\n")
        continue
    print("| command | median | p10 | p90 | ratio |\n|---|---:|---:|---:|---:|")
    for x in data:
        base = "1.00 (baseline)" if x["name"] == x["ratio_to"] else f"{x['ratio']:.2f}× {x['ratio_to']}"
        print(f"| {x['name']} | {x['median_ms']:.3f} ms | {x['p10_ms']:.3f} | {x['p90_ms']:.3f} | {base} |")
    print()
