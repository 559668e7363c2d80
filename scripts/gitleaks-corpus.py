#!/usr/bin/env python3
"""Build the gitleaks test corpus for crates/scrub from gitleaks' own rule tests.

gitleaks (https://github.com/gitleaks/gitleaks, MIT) generates its default
config from cmd/generate/config/rules/*.go; every rule function lists true
positives (tps) and false positives (fps) and hands them to
utils.Validate / utils.ValidateWithPaths, which run gitleaks' real detector
on each string.  This script runs that very generator code, with a small
patch to those two helpers so that instead of aborting on a failure they
print every tp/fp together with the findings gitleaks' detector reports
(so `secret` is gitleaks' own Finding.Secret, not a reimplementation).

Steps:
  1. export gitleaks (pinned commit) and its few needed Go dependencies
     (pinned to the versions in gitleaks' go.mod) from local git
     repositories into a scratch build tree;
  2. apply the patches listed in PATCHES below (validate helpers, seeded
     random secrets, map iteration in Go-source order), drop the files
     that only serve git/archive scanning and report formats, stub viper
     and lipgloss (config-file loading and colour printing, never reached);
  3. `go build` + run the generator with GOPROXY=off (no network);
  4. post-process in Python: write gitleaks.jsonl and gitleaks-rules.tsv,
     cross-check every sample with gitleaks' regexes from
     config/gitleaks.toml using the Python `regex` module, and rewrite the
     generated section of GITLEAKS.md.

Usage (see crates/scrub/tests/corpus/GITLEAKS.md):
  python3 scripts/gitleaks-corpus.py --repos DIR --go PATH/TO/go

DIR holds one git repository per dependency, found as DIR/<owner>+<name>/repo
(bare), DIR/<owner>/<name>.git, DIR/<owner>/<name> or DIR/<name>.
Needs Go >= 1.24 and `pip install regex`.  Nothing is fetched from the network.
"""

import argparse
import collections
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tomllib

GITLEAKS_REPO = "gitleaks/gitleaks"
GITLEAKS_COMMIT = "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b"
GITLEAKS_MODULE = "github.com/zricethezav/gitleaks/v8"

# module path, GitHub repo, git ref, version as named in gitleaks' go.mod
DEPS = [
    ("github.com/BobuSumisu/aho-corasick", "BobuSumisu/aho-corasick", "v1.0.3", "v1.0.3"),
    ("github.com/fatih/semgroup", "fatih/semgroup", "v1.2.0", "v1.2.0"),
    ("github.com/hashicorp/go-version", "hashicorp/go-version", "v1.7.0", "v1.7.0"),
    ("github.com/lucasjones/reggen", "lucasjones/reggen",
     "37ba4fa293bb40d3e1d805ba3545bfaab688d669", "v0.0.0-20200904144131-37ba4fa293bb"),
    ("github.com/mattn/go-colorable", "mattn/go-colorable", "v0.1.14", "v0.1.14"),
    ("github.com/mattn/go-isatty", "mattn/go-isatty", "v0.0.20", "v0.0.20"),
    ("github.com/rs/zerolog", "rs/zerolog", "v1.33.0", "v1.33.0"),
    ("golang.org/x/exp", "golang/exp",
     "aa4b98e5adaa776b18e544db3ee2b32a74335849", "v0.0.0-20250218142911-aa4b98e5adaa"),
    ("golang.org/x/sync", "golang/sync", "v0.17.0", "v0.17.0"),
    ("golang.org/x/sys", "golang/sys", "v0.30.0", "v0.30.0"),
]
# Stubbed modules: only referenced by code the generator never runs.
STUBS = {
    "github.com/spf13/viper": ("v1.19.0", """package viper

// Stub for the gitleaks corpus build: config *file* loading is never used by
// the rule generator (rules are built in Go, not read from TOML).
import (
	"errors"
	"io"
)

var errStub = errors.New("viper is stubbed out in the gitleaks corpus build")

func ConfigFileUsed() string                     { return "" }
func SetConfigType(string)                       {}
func SetConfigFile(string)                       {}
func ReadConfig(io.Reader) error                 { return errStub }
func ReadInConfig() error                        { return errStub }
func Unmarshal(interface{}, ...interface{}) error { return errStub }
"""),
    "github.com/charmbracelet/lipgloss": ("v0.5.0", """package lipgloss

// Stub for the gitleaks corpus build: only used to colour findings printed
// in verbose mode, which the generator never does.
import "strings"

type Color string
type Style struct{ s string }

func NewStyle() Style                            { return Style{} }
func (s Style) SetString(v ...string) Style      { s.s = strings.Join(v, " "); return s }
func (s Style) Foreground(Color) Style           { return s }
func (s Style) Bold(bool) Style                  { return s }
func (s Style) Italic(bool) Style                { return s }
func (s Style) Render(v ...string) string        { return s.s + strings.Join(v, " ") }
func (s Style) String() string                   { return s.s }
"""),
}

# gitleaks directories the generator needs, and files dropped from them
# (they serve git/archive scanning or report formats and pull in many modules).
KEEP_DIRS = ["cmd/generate", "cmd/scm", "config", "detect", "logging", "regexp",
             "report", "sources", "version", "LICENSE", "go.mod"]
DROP_FILES = ["cmd/generate/config/main.go",
              "detect/git.go", "detect/files.go", "detect/reader.go",
              "report/csv.go", "report/json.go", "report/junit.go",
              "report/sarif.go", "report/template.go",
              "sources/common.go", "sources/file.go", "sources/files.go", "sources/git.go"]

GO_SUFFIXES = (".go", ".s", ".h", "go.mod", "LICENSE")

SEED = "hookwatch-gitleaks-corpus-v1"

VALIDATE_GO = r'''
// --- patched for the hookwatch corpus: dump every tp/fp with its findings
// instead of aborting on the first failure (logging.Fatal). ---

type corpusFinding struct {
	Secret      string  `json:"secret"`
	Match       string  `json:"match"`
	StartLine   int     `json:"start_line"`
	StartColumn int     `json:"start_column"`
	Entropy     float32 `json:"entropy"`
}

type corpusRecord struct {
	Rule      string          `json:"rule"`
	Kind      string          `json:"kind"`
	Mode      string          `json:"mode"`
	Text      string          `json:"text"`
	ValidUTF8 bool            `json:"valid_utf8"`
	Path      *string         `json:"path,omitempty"`
	Findings  []corpusFinding `json:"findings"`
}

var corpusOut = func() *json.Encoder {
	e := json.NewEncoder(os.Stdout)
	e.SetEscapeHTML(false)
	return e
}()

func corpusDump(r *config.Rule, kind, mode, text string, path *string, findings []report.Finding) {
	rec := corpusRecord{Rule: r.RuleID, Kind: kind, Mode: mode, Text: text,
		ValidUTF8: utf8.ValidString(text), Path: path, Findings: []corpusFinding{}}
	for _, f := range findings {
		rec.Findings = append(rec.Findings, corpusFinding{f.Secret, f.Match, f.StartLine, f.StartColumn, f.Entropy})
	}
	if err := corpusOut.Encode(rec); err != nil {
		panic(err)
	}
}

func corpusSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func Validate(rule config.Rule, truePositives []string, falsePositives []string) *config.Rule {
	r := &rule
	d := createSingleRuleDetector(r)
	for _, tp := range truePositives {
		corpusDump(r, "tp", "string", tp, nil, d.DetectString(tp))
	}
	for _, fp := range falsePositives {
		corpusDump(r, "fp", "string", fp, nil, d.DetectString(fp))
	}
	return r
}

// Go map order is random: paths are visited in sorted order.
func ValidateWithPaths(rule config.Rule, truePositives map[string]string, falsePositives map[string]string) *config.Rule {
	r := &rule
	d := createSingleRuleDetector(r)
	for _, path := range corpusSortedKeys(truePositives) {
		p := path
		tp := truePositives[path]
		corpusDump(r, "tp", "path", tp, &p, d.Detect(detect.Fragment{Raw: tp, FilePath: path}))
	}
	for _, path := range corpusSortedKeys(falsePositives) {
		p := path
		fp := falsePositives[path]
		corpusDump(r, "fp", "path", fp, &p, d.Detect(detect.Fragment{Raw: fp, FilePath: path}))
	}
	return r
}

'''

REGEN_GO = '''// Package reggen generates text based on regex definitions
// This is a slightly altered version of https://github.com/lucasjones/reggen
package secrets

import (
	"hash/fnv"

	"github.com/lucasjones/reggen"
)

// --- patched for the hookwatch corpus: reggen seeds every generator with
// time.Now(); seed it instead from (regex, how many times this regex was
// generated before) so that the corpus is reproducible. ---
var corpusSeen = map[string]int{}

func NewSecret(regex string) string {
	g, err := reggen.NewGenerator(regex)
	if err != nil {
		panic(err)
	}
	h := fnv.New64a()
	h.Write([]byte("%(seed)s\\x00" + regex))
	g.SetSeed(int64(h.Sum64()>>1) + int64(corpusSeen[regex]))
	corpusSeen[regex]++
	return g.Generate(1)
}
''' % {"seed": SEED}


# Second binary: gitleaks' real detector with the *full default config*
# (config/gitleaks.toml, embedded as config.DefaultConfig: all rules, global
# allowlist, keywords, entropy), run on every sample of the corpus.  It does
# what detect.NewDetectorDefaultConfig() does, except that the TOML is parsed
# by Python's tomllib and handed over as JSON (viper, gitleaks' TOML loader,
# is stubbed in this build): JSON -> config.ViperConfig -> Translate() ->
# detect.NewDetector().  encoding/json matches keys case-insensitively, like
# viper/mapstructure; unknown keys are refused, and the JSON must come from
# the very TOML embedded in the binary (sha256 checked).
FULL_MAIN_GO = """// Generated by scripts/gitleaks-corpus.py: run gitleaks' detector, configured
// with the default config (config/gitleaks.toml), on samples read from stdin.
//
// stdin: one JSON object a line, {"text": "...", "path": "..." (optional)};
// stdout: one JSON object a line, in the same order, with the findings.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"%(module)s/config"
	"%(module)s/detect"
)

type sample struct {
	Text *string `json:"text"`
	Path *string `json:"path"`
}

type finding struct {
	Rule      string `json:"rule"`
	Secret    string `json:"secret"`
	Match     string `json:"match"`
	StartLine int    `json:"start_line"`
}

func fatal(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "corpusfull: "+format+"\\n", a...)
	os.Exit(1)
}

func main() {
	cfgJSON := flag.String("config-json", "", "config/gitleaks.toml converted to JSON")
	tomlSHA := flag.String("toml-sha256", "", "sha256 of the TOML the JSON was made from")
	depth := flag.Int("max-decode-depth", 0, "detector.MaxDecodeDepth (library default 0; the CLI's default is 5)")
	flag.Parse()

	sum := sha256.Sum256([]byte(config.DefaultConfig))
	if hex.EncodeToString(sum[:]) != *tomlSHA {
		fatal("the JSON config was not made from config.DefaultConfig (sha256 %%x)", sum)
	}
	data, err := os.ReadFile(*cfgJSON)
	if err != nil {
		fatal("%%v", err)
	}
	var vc config.ViperConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vc); err != nil {
		fatal("config: %%v", err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		fatal("config: %%v", err)
	}
	d := detect.NewDetector(cfg)
	d.MaxDecodeDepth = *depth
	fmt.Fprintf(os.Stderr, "corpusfull: %%d rules, %%d global allowlists, %%d keywords, max-decode-depth %%d\\n",
		len(cfg.Rules), len(cfg.Allowlists), len(cfg.Keywords), d.MaxDecodeDepth)

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	n := 0
	for in.Scan() {
		var s sample
		if err := json.Unmarshal(in.Bytes(), &s); err != nil || s.Text == nil {
			fatal("line %%d: bad sample (%%v)", n+1, err)
		}
		frag := detect.Fragment{Raw: *s.Text}
		if s.Path != nil {
			frag.FilePath = *s.Path
		}
		fs := []finding{}
		for _, f := range d.Detect(frag) {
			fs = append(fs, finding{f.RuleID, f.Secret, f.Match, f.StartLine})
		}
		if err := enc.Encode(map[string][]finding{"findings": fs}); err != nil {
			fatal("%%v", err)
		}
		n++
	}
	if err := in.Err(); err != nil {
		fatal("%%v", err)
	}
	if err := out.Flush(); err != nil {
		fatal("%%v", err)
	}
}
""" % {"module": GITLEAKS_MODULE}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def find_git_dir(repos, gh):
    owner, name = gh.split("/")
    for cand in (os.path.join(repos, f"{owner}+{name}", "repo"),
                 os.path.join(repos, owner, name + ".git"),
                 os.path.join(repos, owner, name),
                 os.path.join(repos, name)):
        if os.path.isdir(cand):
            return cand
    sys.exit(f"error: no git repository for {gh} under {repos}")


def git_export(git_dir, ref, dest, paths=(), suffixes=None):
    """Write the files of `ref` (under `paths`, or those ending in `suffixes`) to dest."""
    if not os.path.isfile(os.path.join(git_dir, "HEAD")):
        git_dir = os.path.join(git_dir, ".git")
    git = ["git", f"--git-dir={git_dir}"]
    ls = subprocess.run(git + ["ls-tree", "-r", "-z", ref, "--", *paths],
                        check=True, stdout=subprocess.PIPE).stdout
    entries = []
    for item in ls.split(b"\0"):
        if not item:
            continue
        meta, name = item.split(b"\t", 1)
        mode, typ, oid = meta.split()
        name = name.decode()
        if typ != b"blob" or mode == b"120000":
            continue
        if suffixes and not name.endswith(suffixes):
            continue
        entries.append((name, oid))
    cat = subprocess.run(git + ["cat-file", "--batch"], input=b"".join(o + b"\n" for _, o in entries),
                         check=True, stdout=subprocess.PIPE).stdout
    pos = 0
    for name, oid in entries:
        nl = cat.index(b"\n", pos)
        header = cat[pos:nl].split()
        if header[1] != b"blob":
            sys.exit(f"error: {git_dir} {ref}: {name} is missing from this repository copy")
        size = int(header[2])
        data = cat[nl + 1:nl + 1 + size]
        pos = nl + 1 + size + 1
        out = os.path.join(dest, name)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)


def patch(path, old, new, count=1):
    with open(path) as f:
        src = f.read()
    n = src.count(old)
    if n != count:
        sys.exit(f"error: patch for {path} expected {count} match(es) of {old!r}, found {n}")
    with open(path, "w") as f:
        f.write(src.replace(old, new))


def literal_keys(src, start_marker, key_re):
    """Keys of a Go map literal in source order (commented lines skipped)."""
    i = src.index(start_marker) + len(start_marker)
    depth, j = 1, i
    while depth:  # find the matching closing brace (ignores braces in strings: ok for these literals)
        c = src[j]
        if c == "`":
            j = src.index("`", j + 1)
        elif c == '"':
            k = j + 1
            while src[k] != '"':
                k += 2 if src[k] == "\\" else 1
            j = k
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        j += 1
    body = src[i:j - 1]
    keys = []
    for line in body.split("\n"):
        if line.strip().startswith("//"):
            continue
        m = re.match(key_re, line)
        if m:
            keys.append(m.group(1))
    return keys


def go_string_list(keys):
    return "[]string{" + ", ".join(json.dumps(k) for k in keys) + "}"


def prepare_tree(args, work):
    if os.path.exists(work):
        shutil.rmtree(work)
    src = os.path.join(work, "src")
    gl = find_git_dir(args.repos, GITLEAKS_REPO)
    git_export(gl, args.commit, src, KEEP_DIRS)
    for rel in DROP_FILES:
        os.remove(os.path.join(src, rel))
    for root, _, files in os.walk(src):
        for fn in files:
            if fn.endswith("_test.go"):
                os.remove(os.path.join(root, fn))

    # check pinned versions against gitleaks' go.mod
    gomod = open(os.path.join(src, "go.mod")).read()
    goline = re.search(r"^go (\S+)", gomod, re.M).group(1)
    for mod, _, _, ver in DEPS + [(m, None, None, v[0]) for m, v in STUBS.items()]:
        m = re.search(r"^\s*" + re.escape(mod) + r" (\S+)", gomod, re.M)
        if not m or m.group(1) != ver:
            sys.exit(f"error: gitleaks go.mod names {mod} {m and m.group(1)}, script pins {ver}")

    deps_dir = os.path.join(work, "deps")
    requires, replaces = [], []
    for mod, gh, ref, ver in DEPS:
        d = os.path.join(deps_dir, mod)
        git_export(find_git_dir(args.repos, gh), ref, d, suffixes=GO_SUFFIXES)
        for root, _, files in os.walk(d):
            for fn in files:
                if fn.endswith("_test.go"):
                    os.remove(os.path.join(root, fn))
        # requirements are all listed in the main go.mod; local copies keep only module + go lines
        dgo = "1.13"
        if os.path.exists(os.path.join(d, "go.mod")):
            m = re.search(r"^go (\S+)", open(os.path.join(d, "go.mod")).read(), re.M)
            dgo = m.group(1) if m else dgo
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write(f"module {mod}\n\ngo {dgo}\n")
        requires.append(f"\t{mod} {ver}")
        replaces.append(f"replace {mod} => ./../deps/{mod}")
    for mod, (ver, code) in STUBS.items():
        d = os.path.join(deps_dir, mod)
        os.makedirs(d)
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write(f"module {mod}\n\ngo 1.18\n")
        with open(os.path.join(d, "stub.go"), "w") as f:
            f.write(code)
        requires.append(f"\t{mod} {ver}")
        replaces.append(f"replace {mod} => ./../deps/{mod}")
    with open(os.path.join(src, "go.mod"), "w") as f:
        f.write(f"module {GITLEAKS_MODULE}\n\ngo {goline}\n\nrequire (\n" + "\n".join(requires)
                + "\n)\n\n" + "\n".join(replaces) + "\n")

    # --- patches ---
    # 1. validate helpers: dump instead of abort
    vpath = os.path.join(src, "cmd/generate/config/utils/validate.go")
    vsrc = open(vpath).read()
    a, b = vsrc.index("func Validate("), vsrc.index("func createSingleRuleDetector(")
    vsrc = vsrc[:a] + VALIDATE_GO.lstrip("\n") + vsrc[b:]
    vsrc = vsrc.replace('import (\n\t"strings"\n',
                        'import (\n\t"encoding/json"\n\t"os"\n\t"sort"\n\t"strings"\n\t"unicode/utf8"\n\n'
                        f'\t"{GITLEAKS_MODULE}/report"\n', 1)
    open(vpath, "w").write(vsrc)
    # 2. seeded random secrets
    open(os.path.join(src, "cmd/generate/secrets/regen.go"), "w").write(REGEN_GO)
    # 3. GenerateSampleSecrets: iterate the samples map in Go-source order
    gpath = os.path.join(src, "cmd/generate/config/utils/generate.go")
    gsrc = open(gpath).read()
    keys = literal_keys(gsrc, "samples := map[string]string{", r'\s*"([^"]+)":\s')
    patch(gpath, "\tfor _, v := range samples {\n",
          f"\tcorpusOrder := {go_string_list(keys)} // patched: Go-source order, not random map order\n"
          "\tif len(corpusOrder) != len(samples) {\n\t\tpanic(\"corpus: sample key list out of date\")\n\t}\n"
          "\tfor _, k := range corpusOrder {\n\t\tv := samples[k]\n")
    # 4. jwt.go: iterate the JWT header map in Go-source order
    jpath = os.path.join(src, "cmd/generate/config/rules/jwt.go")
    jsrc = open(jpath).read()
    keys = literal_keys(jsrc, "headers := map[string][]string{", r'\s*"([^"]+)":\s*\{')
    patch(jpath, "\tfor key, values := range headers {\n",
          f"\tcorpusOrder := {go_string_list(keys)} // patched: Go-source order, not random map order\n"
          "\tif len(corpusOrder) != len(headers) {\n\t\tpanic(\"corpus: jwt header key list out of date\")\n\t}\n"
          "\tfor _, key := range corpusOrder {\n\t\tvalues := headers[key]\n")
    # 5. any other range over a map in rule code would be random: refuse
    rdir = os.path.join(src, "cmd/generate/config/rules")
    for fn in sorted(os.listdir(rdir)):
        if fn.endswith(".go"):
            for m in re.finditer(r"for\s+(\w+),\s*\w+\s*:=\s*range\s+(\w+)", open(os.path.join(rdir, fn)).read()):
                if m.group(1) != "_":
                    sys.exit(f"error: {fn}: loop over a map? ({m.group(0)}): add an order patch")
    # 6. sources: the few declarations detect needs from the dropped files
    gsrc = subprocess.run(["git", f"--git-dir={gl}", "show", f"{args.commit}:sources/git.go"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout
    decls = [re.search(r"\n(// %s [^\n]*\ntype %s struct \{.*?\n\})" % (t, t), gsrc, re.S).group(1)
             for t in ("RemoteInfo", "CommitInfo")]
    open(os.path.join(src, "sources/corpus_stub.go"), "w").write(
        "package sources\n\n// Declarations copied from sources/file.go and sources/git.go, which are\n"
        "// dropped from the corpus build (they scan git history and archives).\n\n"
        'import (\n\t"context"\n\n\t"%s/cmd/scm"\n)\n\n' % GITLEAKS_MODULE
        + 'const InnerPathSeparator = "!"\n\n' + "\n\n".join(decls)
        + "\n\n// Git is a stub: git scanning is not part of the corpus build.\ntype Git struct{}\n\n"
        "func (s *Git) Fragments(ctx context.Context, yield FragmentsFunc) error { return nil }\n")
    # 7. corpus main: the rule list of cmd/generate/config/main.go, in its order
    msrc = subprocess.run(["git", f"--git-dir={gl}", "show", f"{args.commit}:cmd/generate/config/main.go"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout
    a = msrc.index("\tconfigRules := []*config.Rule{")
    b = msrc.index("\n\t}\n", a) + 4
    os.makedirs(os.path.join(src, "cmd/generate/corpus"))
    open(os.path.join(src, "cmd/generate/corpus/main.go"), "w").write(
        "// Generated by scripts/gitleaks-corpus.py from cmd/generate/config/main.go:\n"
        "// calling each rule function runs its utils.Validate*, which prints the samples.\n"
        "package main\n\nimport (\n"
        f'\t"{GITLEAKS_MODULE}/cmd/generate/config/rules"\n\t"{GITLEAKS_MODULE}/config"\n)\n\n'
        "func main() {\n" + msrc[a:b] + "\t_ = configRules\n}\n")
    # 8. second main: the full default-config detector (see FULL_MAIN_GO)
    write_full_main(src)
    return src


def write_full_main(src):
    d = os.path.join(src, "cmd/generate/corpusfull")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write(FULL_MAIN_GO)


def go_env(work):
    return dict(os.environ, GOTOOLCHAIN="local", GOPROXY="off", GOSUMDB="off", GOWORK="off",
                GOFLAGS="-mod=mod", GOCACHE=os.path.join(work, "gocache"),
                GOPATH=os.path.join(work, "gopath"), CGO_ENABLED="0", GOMAXPROCS="1")


def build_and_run(args, work, src):
    env = go_env(work)
    exe = os.path.join(work, "corpusgen")
    sh(["nice", "-n", "19", args.go, "build", "-p", "1", "-o", exe, "./cmd/generate/corpus"], cwd=src, env=env)
    build_full(args, work, src)
    out = subprocess.run([exe], cwd=src, check=True, stdout=subprocess.PIPE, env=env).stdout
    raw = os.path.join(work, "raw.jsonl")
    open(raw, "wb").write(out)
    return raw


def build_full(args, work, src):
    """Build the full default-config detector (WORK/corpusfull); incremental with WORK/gocache."""
    sh(["nice", "-n", "19", args.go, "build", "-p", "1", "-o", os.path.join(work, "corpusfull"),
        "./cmd/generate/corpusfull"], cwd=src, env=go_env(work))


def make_full_detector(work, toml_text):
    """-> run(samples, depth): gitleaks' findings, with the full default config, for each
    (text, path) sample (path None: scanned without a path, like DetectString)."""
    import hashlib
    cfg_json = os.path.join(work, "gitleaks-default.json")
    with open(cfg_json, "w", encoding="utf-8") as f:
        json.dump(tomllib.loads(toml_text), f, ensure_ascii=False)
    sha = hashlib.sha256(toml_text.encode()).hexdigest()
    exe = os.path.join(work, "corpusfull")

    def run(samples, depth=0):
        inp = "".join(json.dumps({"text": t, **({"path": p} if p is not None else {})},
                                 ensure_ascii=False) + "\n" for t, p in samples).encode()
        res = subprocess.run([exe, "-config-json", cfg_json, "-toml-sha256", sha,
                              "-max-decode-depth", str(depth)], input=inp, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=go_env(work))
        out = [json.loads(l)["findings"] for l in res.stdout.decode().splitlines()]
        if len(out) != len(samples):
            sys.exit(f"error: corpusfull gave {len(out)} results for {len(samples)} samples\n"
                     + res.stderr.decode())
        return out, res.stderr.decode()
    return run


# ---------------------------------------------------------------- regex check

def go_to_py(pat):
    """Translate a Go RE2 pattern for Python's `regex` module.

    - a flag group `(?i)` in the middle of a pattern lasts, in Go, to the end
      of the enclosing group (across `|`): rewritten as scoped `(?i:...)`;
    - without (?m), Go's `$` is end of text: `\\Z`; `\\z` is `\\Z`.
    """
    out = []
    stack = [0]  # per open group: number of scoped flag wrappers opened in it
    flagstack = [""]  # per open group: flags (text) currently in force from wrappers
    i, n = 0, len(pat)
    in_class = False
    multiline = False
    while i < n:
        c = pat[i]
        if c == "\\":
            nxt = pat[i + 1]
            if nxt == "z" and not in_class:
                out.append(r"\Z")
            else:
                out.append(pat[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" and pat.startswith("[:", i):
                j = pat.index(":]", i) + 2
                out.append(pat[i:j])
                i = j
                continue
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pat[i] == "^":
                out.append("^")
                i += 1
            if i < n and pat[i] == "]":
                out.append("]")
                i += 1
            continue
        if c == "(":
            m = re.match(r"\(\?([a-zA-Z]*-?[a-zA-Z]*)\)", pat[i:])
            if m:
                flags = m.group(1)
                if "m" in flags.split("-")[0]:
                    multiline = True
                if not out and len(stack) == 1:
                    out.append(m.group(0))  # leading global flags: fine as they are
                else:
                    out.append(f"(?{flags}:")
                    stack[-1] += 1
                    flagstack[-1] += f"(?{flags}:"
                i += len(m.group(0))
                continue
            out.append(c)
            stack.append(0)
            flagstack.append("")
            i += 1
            continue
        if c == ")":
            out.append(")" * stack.pop())
            flagstack.pop()
            out.append(")")
            i += 1
            continue
        if c == "|":
            out.append(")" * stack[-1] + "|" + flagstack[-1])
            i += 1
            continue
        if c == "$" and not multiline:
            out.append(r"\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * stack.pop())
    return "".join(out)


def shannon_entropy(s):
    if not s:
        return 0.0
    inv = 1.0 / len(s.encode())
    return -sum(c * inv * math.log2(c * inv) for c in collections.Counter(s).values())


class PyAllowlist:
    def __init__(self, a, joined):
        import regex
        self.and_ = a.get("condition", "OR").upper() in ("AND", "&&")
        self.target = {"secret": ""}.get(a.get("regexTarget", ""), a.get("regexTarget", ""))
        self.stopwords = [w.lower() for w in a.get("stopwords", [])]
        self.commits = a.get("commits", [])

        def comp(pats):
            if not pats:
                return []
            if joined:  # config.Allowlist.Validate(): joinRegexOr, i.e. "(?:p1|p2|...)"
                pats = ["(?:" + "|".join(pats) + ")"]
            return [regex.compile(go_to_py(x), regex.ASCII) for x in pats]
        self.regexes = comp(a.get("regexes", []))
        self.paths = comp(a.get("paths", []))

    def path_allowed(self, path):
        return bool(path) and any(r.search(path) for r in self.paths)

    def regex_allowed(self, target):
        return bool(target) and any(r.search(target) for r in self.regexes)

    def stopword(self, secret):
        s = secret.lower()
        return bool(secret) and any(w in s for w in self.stopwords)


def commit_or_path_allowed(path, allowlists):
    """detect.checkCommitOrPathAllowed (no commit here)."""
    if not path:
        return False
    for a in allowlists:
        p = a.path_allowed(path)
        if a.and_:
            if a.regexes or a.stopwords:
                continue
            checks = ([False] if a.commits else []) + ([p] if a.paths else [])
            if all(checks):
                return True
        elif p:
            return True
    return False


def finding_allowed(secret, match, line, path, allowlists):
    """detect.checkFindingAllowed (no commit here)."""
    for a in allowlists:
        target = {"match": match, "line": line}.get(a.target, secret)
        r, w = a.regex_allowed(target), a.stopword(secret)
        if a.and_:
            checks = ([False] if a.commits else []) + ([a.path_allowed(path)] if a.paths else []) \
                + ([r] if a.regexes else []) + ([w] if a.stopwords else [])
            if all(checks):
                return True
        elif r or w:
            return True
    return False


def go_line(raw, start, end):
    """The |Line| of a finding: detect.location() + the endLineIndex fix-up in detectRule."""
    nls = [i for i, ch in enumerate(raw) if ch == "\n"] or [len(raw)]
    prev, line_set = 0, False
    sli, eli = 0, 0
    for nl in nls:
        if prev <= start < nl:
            line_set, sli, eli = True, prev, nl
        if prev < end <= nl:
            eli = nl
        prev = nl
    if not line_set:
        i = 0
        while end + i < len(raw) and raw[end + i] not in "\n\r":
            i += 1
        eli = end + i
    if end > eli:
        eli = end
    return raw[sli:eli]


class PyRule:
    """One gitleaks rule from gitleaks.toml, run the way detect.detectRule runs it."""

    def __init__(self, rule, joined_rule_allowlists):
        import regex
        self.id = rule["id"]
        self.raw = rule.get("regex")
        self.secret_group = rule.get("secretGroup", 0)
        self.entropy = rule.get("entropy", 0.0)
        self.keywords = sorted({k.lower() for k in rule.get("keywords", [])})
        self.path = regex.compile(go_to_py(rule["path"]), regex.ASCII) if rule.get("path") else None
        self.rx = regex.compile(go_to_py(self.raw), regex.ASCII) if self.raw else None
        self.allowlists = [PyAllowlist(a, joined_rule_allowlists) for a in rule.get("allowlists", [])]

    def regex_secrets(self, text):
        """(start, end, match, secret) for every regex match, before any filter."""
        res = []
        for m in self.rx.finditer(text, timeout=30):
            match = m.group(0).strip("\n")
            secret = match
            g = self.rx.search(match, timeout=30)
            if g and len(g.groups()) >= 1:
                if self.secret_group > 0:
                    secret = g.group(self.secret_group) or ""
                else:
                    for x in g.groups():
                        if x:
                            secret = x
                            break
            res.append((m.start(), m.start() + len(match), match, secret))
        return res

    def detect(self, text, path, global_allowlists, meta=False):
        """-> (secrets reported, reasons candidates were dropped).

        meta: report (secret, match, start line) instead of the secret alone."""
        if commit_or_path_allowed(path, global_allowlists):
            return [], ["global path allowlist"]
        if self.keywords and not any(k in text.lower() for k in self.keywords):
            return [], ["keyword"]
        if commit_or_path_allowed(path, self.allowlists):
            return [], ["rule path allowlist"]
        if self.path is not None:
            ok = bool(path) and self.path.search(path) is not None
            if self.rx is None:
                return ((([("", "file detected: " + path, 0)] if meta else [""]), []) if ok
                        else ([], ["path"]))
            if not ok:
                return [], ["path"]
        if self.rx is None:
            return [], ["no regex"]
        found, why = [], []
        for start, end, match, secret in self.regex_secrets(text):
            line = go_line(text, start, end)
            if "gitleaks:allow" in line:
                why.append("gitleaks:allow")
            elif self.entropy and shannon_entropy(secret) <= self.entropy:
                why.append("entropy")
            elif finding_allowed(secret, match, line, path, global_allowlists):
                why.append("global allowlist")
            elif finding_allowed(secret, match, line, path, self.allowlists):
                why.append("rule allowlist")
            else:
                found.append((secret, match, text.count("\n", 0, start)) if meta else secret)
        return found, (why or ["no regex match"])


def py_full_detect(rules, text, path, global_allowlists):
    """Python replica of Detector.Detect with every rule (no decoding): [(rule, secret)]."""
    fs = []
    for pr in rules:
        found, _ = pr.detect(text, path, global_allowlists, meta=True)
        fs += [(pr.id, secret, match, line) for secret, match, line in found]
    # detect.filter: a generic-* finding is dropped if a non-generic finding of another
    # rule on the same line has a secret containing it
    return [(r, s) for r, s, m, l in fs
            if not ("generic" in r.lower()
                    and any(l == l2 and r != r2 and s in s2 and "generic" not in r2.lower()
                            for r2, s2, m2, l2 in fs))]


def postprocess(args, raw_path, toml_text, full_detect):
    cfg = tomllib.loads(toml_text)
    rules = cfg["rules"]
    rule_ids = [r["id"] for r in rules]
    # The generator validates with rule allowlists not joined (only global ones go through
    # Allowlist.Validate()); gitleaks loading gitleaks.toml joins both.
    gen_rules = {r["id"]: PyRule(r, False) for r in rules}
    toml_rules = {r["id"]: PyRule(r, True) for r in rules}
    global_als = [PyAllowlist(cfg["allowlist"], True)] if "allowlist" in cfg else []
    global_als += [PyAllowlist(a, True) for a in cfg.get("allowlists", [])]
    recs = [json.loads(line) for line in open(raw_path, encoding="utf-8")]

    out_dir = args.out
    counts = collections.OrderedDict((rid, {"tp": 0, "fp": 0}) for rid in rule_ids)
    seen = set()
    dups = collections.Counter()
    exc = collections.defaultdict(collections.Counter)
    notes = collections.defaultdict(list)
    unknown = collections.Counter()
    multi = 0
    objs = []
    for r in recs:
        rid, kind, text, path = r["rule"], r["kind"], r["text"], r.get("path")
        if rid not in counts:
            unknown[rid] += 1
            continue
        key = (rid, kind, text, path)
        if key in seen and not args.keep_duplicates:
            dups[rid] += 1  # same sample listed twice for one rule: keep the first
            continue
        seen.add(key)
        if not r["valid_utf8"]:
            notes[rid].append("a sample is not valid UTF-8 (JSON has U+FFFD)")
        fs = r["findings"]
        go_secrets = [f["secret"] for f in fs]
        ok = (len(fs) == 1 if kind == "tp" else len(fs) == 0) if r["mode"] == "path" \
            else (len(fs) >= 1 if kind == "tp" else len(fs) == 0)
        if not ok:
            exc[rid]["go_" + kind + "_fail"] += 1
        obj = {"rule": rid, "kind": kind, "text": text,
               "secret": (go_secrets[0] if go_secrets else None) if kind == "tp" else None}
        if path is not None:
            obj["path"] = path
        if kind == "tp" and len(set(go_secrets)) > 1:
            obj["secrets"] = go_secrets
            multi += 1
        objs.append(obj)
        counts[rid][kind] += 1

        # 1. regex only: the rule's regex (and path) from gitleaks.toml
        pr = gen_rules[rid]
        path_ok = pr.path is None or (path is not None and pr.path.search(path) is not None)
        matched = path_ok and (pr.rx is None or bool(pr.regex_secrets(text)))
        if kind == "tp" and not matched:
            exc[rid]["re_tp_miss"] += 1
        if kind == "fp" and matched:
            _, why = pr.detect(text, path, global_als)
            exc[rid]["re_fp_hit"] += 1
            exc[rid]["why:" + "+".join(sorted(set(why)))] += 1
        # 2. full replica of the detector in Python must agree with gitleaks' Go detector
        py, _ = pr.detect(text, path, global_als)
        if py != go_secrets:
            exc[rid]["py_differs"] += 1
        # 3. the same with gitleaks.toml semantics (rule allowlists joined)
        pt, _ = toml_rules[rid].detect(text, path, global_als)
        if pt != py:
            exc[rid]["toml_differs"] += 1

    # 4. gitleaks' detector with the full default config (all rules, global allowlist, keywords,
    #    entropy) on every sample: `full`, the sorted rule ids it reports.  The library default
    #    (max-decode-depth 0, as NewDetectorDefaultConfig) is recorded; the CLI's default
    #    (--max-decode-depth 5) and a Python replica are only compared.
    samples = [(o["text"], o.get("path")) for o in objs]
    full, full_log = full_detect(samples, 0)
    full5, _ = full_detect(samples, 5)
    py_rules = list(toml_rules.values())
    full_stats = collections.Counter()
    fp_flag, fp_flag_from, tp_other, tp_extra, d5 = (collections.Counter() for _ in range(5))
    py_diff = []
    for o, fs, fs5 in zip(objs, full, full5):
        rid, kind = o["rule"], o["kind"]
        got = sorted({f["rule"] for f in fs})
        o["full"] = got
        got5 = sorted({f["rule"] for f in fs5})
        if got5 != got:
            d5[(rid, kind, " ".join(["+" + x for x in got5 if x not in got]
                                    + ["-" + x for x in got if x not in got5]))] += 1
        py = sorted(py_full_detect(py_rules, o["text"], o.get("path"), global_als))
        if py != sorted((f["rule"], f["secret"]) for f in fs):
            py_diff.append((rid, kind))
        if kind == "fp":
            if got:
                full_stats["fp_flagged"] += 1
                full_stats["fp_own"] += rid in got
                for x in got:
                    fp_flag[x] += 1
                    fp_flag_from[(x, rid)] += 1
        elif rid in got:
            full_stats["tp_own"] += 1
            if len(got) > 1:
                full_stats["tp_own_plus"] += 1
                tp_extra.update(x for x in got if x != rid)
        elif got:
            full_stats["tp_other_only"] += 1
            tp_other[(rid, "+".join(got))] += 1
        else:
            full_stats["tp_none"] += 1
    lines = [json.dumps(o, ensure_ascii=False) for o in objs]

    with open(os.path.join(out_dir, "gitleaks.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, "gitleaks-rules.tsv"), "w", encoding="utf-8") as f:
        # secretGroup 0: first non-empty group (or the whole match); entropy 0: no threshold;
        # path: only set for the few path-based rules (pkcs12-file has no regex at all).
        f.write("id\tkeywords\tregex\tsecretGroup\tentropy\ttps\tfps\tpath\n")
        for r in rules:
            rid = r["id"]
            row = [rid, ",".join(r.get("keywords", [])), r.get("regex", ""),
                   str(r.get("secretGroup", 0)), str(r.get("entropy", 0)),
                   str(counts[rid]["tp"]), str(counts[rid]["fp"]), r.get("path", "")]
            assert not any(ch in cell for cell in row for ch in "\t\n"), rid
            f.write("\t".join(row) + "\n")

    n_tp = sum(c["tp"] for c in counts.values())
    n_fp = sum(c["fp"] for c in counts.values())
    no_cases = [rid for rid, c in counts.items() if c["tp"] == 0 and c["fp"] == 0]
    tot = collections.Counter()
    for c in exc.values():
        tot.update(c)
    md = []
    md.append(f"- gitleaks commit: `{args.commit}`")
    md.append(f"- rules in `config/gitleaks.toml`: **{len(rule_ids)}**; with test cases: "
              f"**{len(rule_ids) - len(no_cases)}**")
    md.append(f"- samples: **{n_tp + n_fp}** = **{n_tp} tp** + **{n_fp} fp** "
              f"(`gitleaks.jsonl`, {len(lines)} lines)")
    md.append(f"- tps on which gitleaks reports more than one distinct secret (all listed in `secrets`): {multi}")
    md.append(f"- path-based samples (rules tested with `ValidateWithPaths`; they carry `path`): "
              f"{sum(1 for l in lines if chr(34) + 'path' + chr(34) + ':' in l)}")
    if dups:
        top = ", ".join(f"{k} {v}" for k, v in dups.most_common() if v > 1)
        md.append(f"- exact duplicates dropped (same rule, kind, text, path; the first is kept): "
                  f"{sum(dups.values())} — {top}, and 1 each in {sum(1 for v in dups.values() if v == 1)} "
                  "more rules (mostly `GenerateSampleSecrets`, whose `ini - quoted2` and "
                  "`python - double quote` templates are identical)")
    if unknown:
        md.append(f"- samples of rules not in gitleaks.toml, dropped: {dict(unknown)}")
    if no_cases:
        md.append(f"- rules without any test case in gitleaks: {', '.join(no_cases)}")
    md.append("")
    md.append("gitleaks' own detector (Go, the real `detect` package) on its own cases: "
              f"tps not detected: **{tot['go_tp_fail']}**, fps detected: **{tot['go_fp_fail']}**.")
    md.append("")
    md.append("Regex only (the rule's `regex`, and `path` where set, from gitleaks.toml, run with "
              f"Python `regex`): tps matched: **{n_tp - tot['re_tp_miss']} / {n_tp}**; fps not matched: "
              f"**{n_fp - tot['re_fp_hit']} / {n_fp}**. An fp that the regex matches is one gitleaks "
              "drops afterwards: keyword pre-filter, entropy threshold, global or rule allowlist "
              "(the reason is given by the Python replica of `detect.detectRule`).")
    md.append("")
    md.append(f"Python replica of gitleaks' detection (keywords, regex, secretGroup, entropy, allowlists) "
              f"vs the Go detector: {tot['py_differs']} samples disagree (findings/secret). "
              f"Loading the rules from gitleaks.toml (rule allowlist regexes joined into one) instead "
              f"of as the generator builds them changes {tot['toml_differs']} results.")
    md.append("")
    md.append("Exceptions per rule (every rule not listed: all tps matched by its regex, no fp matched):")
    md.append("")
    md.append("| rule | tps | fps | tps the regex misses | fps the regex matches | why gitleaks drops them | detector fails (tp/fp) | replica differs |")
    md.append("| --- | --: | --: | --: | --: | --- | --- | --: |")
    for rid in rule_ids:
        e = exc.get(rid)
        if not e:
            continue
        why = ", ".join(f"{k[4:]} {v}" for k, v in sorted(e.items()) if k.startswith("why:"))
        fails = f"{e['go_tp_fail']}/{e['go_fp_fail']}" if e["go_tp_fail"] or e["go_fp_fail"] else ""
        md.append(f"| {rid} | {counts[rid]['tp']} | {counts[rid]['fp']} | {e['re_tp_miss'] or ''} | "
                  f"{e['re_fp_hit'] or ''} | {why} | {fails} | {(e['py_differs'] + e['toml_differs']) or ''} |")
    for rid, ns in notes.items():
        md.append(f"\nNote, {rid}: {sorted(set(ns))}")
    md.append("")
    md.append("### Full default config (`full`)")
    md.append("")
    md.append(f"gitleaks' Go detector loaded with the whole `config/gitleaks.toml` "
              f"(`{full_log.strip().removeprefix('corpusfull: ')}`), run on every sample "
              "(with its `path`, if any):")
    md.append("")
    md.append(f"- fps it flags: **{full_stats['fp_flagged']} / {n_fp}** "
              f"(with the fp's own rule: {full_stats['fp_own']}), by rule: "
              + "; ".join(f"{x} {n} (fps of " + ", ".join(
                  f"{r} {m}" for (x2, r), m in sorted(fp_flag_from.items(), key=lambda kv: (-kv[1], kv[0][1]))
                  if x2 == x) + ")" for x, n in sorted(fp_flag.items(), key=lambda kv: (-kv[1], kv[0]))))
    md.append(f"- tps it flags with their own rule: **{full_stats['tp_own']} / {n_tp}** "
              f"({full_stats['tp_own_plus']} of them also with other rules: "
              + ", ".join(f"{x} {n}" for x, n in sorted(tp_extra.items(), key=lambda kv: (-kv[1], kv[0])))
              + ")")
    md.append(f"- tps it flags with a different rule only: **{full_stats['tp_other_only']}**"
              + (" — " + ", ".join(f"{r} → {x}: {n}" for (r, x), n in sorted(tp_other.items()))
                 if tp_other else "")
              + f"; tps it does not flag at all: **{full_stats['tp_none']}**")
    md.append(f"- with the CLI's default `--max-decode-depth 5` (the library's default, used for `full`, "
              f"is 0: no decoding), {sum(d5.values())} samples get a different rule set"
              + (": " + "; ".join(f"{rid} {kind}s {n} ({change})"
                                  for (rid, kind, change), n in sorted(d5.items())) if d5 else ""))
    md.append(f"- Python replica of the full detector (all rules, then `detect.filter`, which drops a "
              f"generic finding whose secret a specific rule reports on the same line) vs Go: "
              f"{len(py_diff)} samples disagree (rule, secret)"
              + (": " + ", ".join(f"{r} {k} {n}" for (r, k), n in sorted(collections.Counter(py_diff).items()))
                 if py_diff else ""))
    report = "\n".join(md) + "\n"

    gmd = os.path.join(out_dir, "GITLEAKS.md")
    begin, end = "<!-- BEGIN generated by scripts/gitleaks-corpus.py -->\n", "<!-- END generated -->"
    if os.path.exists(gmd):
        doc = open(gmd, encoding="utf-8").read()
        if begin in doc and end in doc:
            a = doc.index(begin) + len(begin)
            b = doc.index(end)
            open(gmd, "w", encoding="utf-8").write(doc[:a] + report + doc[b:])
    print(report)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repos", required=True, help="folder holding the git repositories (see --help text)")
    ap.add_argument("--go", default=shutil.which("go") or "go", help="go binary (>= 1.24)")
    ap.add_argument("--commit", default=GITLEAKS_COMMIT, help="gitleaks commit")
    ap.add_argument("--work", default="/tmp/gitleaks-corpus-build", help="scratch build folder (erased)")
    ap.add_argument("--out", default=os.path.join(here, "..", "crates", "scrub", "tests", "corpus"))
    ap.add_argument("--skip-build", action="store_true", help="reuse WORK/raw.jsonl")
    ap.add_argument("--keep-duplicates", action="store_true", help="keep repeated identical samples")
    args = ap.parse_args()
    args.out = os.path.normpath(args.out)
    work = os.path.abspath(args.work)
    if args.skip_build:
        raw = os.path.join(work, "raw.jsonl")
        src = os.path.join(work, "src")
        if not os.path.isfile(os.path.join(src, "go.mod")):
            sys.exit(f"error: --skip-build needs the build tree of an earlier run in {src}")
        write_full_main(src)  # (re)build the full-config detector: cheap with the Go cache
        build_full(args, work, src)
    else:
        src = prepare_tree(args, work)
        raw = build_and_run(args, work, src)
    gl = find_git_dir(args.repos, GITLEAKS_REPO)
    toml_text = subprocess.run(["git", f"--git-dir={gl}", "show", f"{args.commit}:config/gitleaks.toml"],
                               check=True, stdout=subprocess.PIPE, text=True).stdout
    postprocess(args, raw, toml_text, make_full_detector(work, toml_text))


if __name__ == "__main__":
    main()
