#!/usr/bin/env python3
"""Per-family summary of crates/scrub/GITLEAKS_REPORT.md for TESTING.md.

    python3 scripts/gitleaks-families.py
"""
import re, sys, os

FAMILIES = [
    ("Cloud and hosting", "aws alibaba gcp azure digitalocean cloudflare yandex heroku flyio scalingo netlify vault hashicorp openshift"),
    ("Source control, CI/CD, artifacts", "github gitlab bitbucket droneci travisci codecov harness octopus gitter jfrog artifactory sourcegraph"),
    ("Package registries", "npm pypi rubygems clojars nuget"),
    ("AI and ML APIs", "openai anthropic cohere huggingface perplexity privateai"),
    ("Chat, social, webhooks", "slack discord microsoft-teams telegram mattermost twitch twitter facebook linkedin messagebird"),
    ("Payment and commerce", "stripe square shopify plaid flutterwave gocardless coinbase kraken kucoin bittrex shippo easypost duffel finicity etsy"),
    ("Observability and feature flags", "datadog new-relic grafana sentry dynatrace sumologic launchdarkly"),
    ("Databases and data platforms", "planetscale clickhouse databricks confluent"),
    ("Keys, tokens, manifests", "private-key jwt age 1password kubernetes pkcs12"),
    ("Context rules (curl, generic)", "generic curl sidekiq"),
]

def family(rule):
    for name, prefixes in FAMILIES:
        if any(rule == p or rule.startswith(p + "-") for p in prefixes.split()):
            return name
    return "Other SaaS APIs"

here = os.path.dirname(os.path.abspath(__file__))
report = open(os.path.join(here, "..", "crates", "scrub", "GITLEAKS_REPORT.md")).read()
rows = re.findall(r"^\| ([a-z0-9-]+) \| (\d+)/(\d+) \| (\d+)/(\d+) \|", report, re.M)
agg = {}
for rule, f, t, fp, fpn in rows:
    a = agg.setdefault(family(rule), [0, 0, 0, 0, 0, 0])
    a[0] += 1; a[1] += int(f); a[2] += int(t); a[3] += int(fp); a[4] += int(fpn)
    a[5] += int(f) == int(t)
order = [n for n, _ in FAMILIES] + ["Other SaaS APIs"]
print("| family | gitleaks rules | all cases found | true positives found | negatives redacted |")
print("|---|---:|---:|---:|---:|")
tot = [0, 0, 0, 0, 0, 0]
for name in sorted(agg, key=order.index):
    a = agg[name]
    tot = [x + y for x, y in zip(tot, a)]
    print(f"| {name} | {a[0]} | {a[5]} | {a[1]}/{a[2]} ({100*a[1]/max(a[2],1):.1f} %) | {a[3]}/{a[4]} |")
print(f"| **all** | **{tot[0]}** | **{tot[5]}** | **{tot[1]}/{tot[2]} ({100*tot[1]/max(tot[2],1):.1f} %)** | **{tot[3]}/{tot[4]}** |")
