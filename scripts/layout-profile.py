"""The half of scripts/layout-profile that reads callgrind's output and the
link map: which input sections the hook executes, as patterns (write mode),
or how many of them the built layout left outside the ordered region
(--check).

usage: layout-profile.py (write|--check) WORKDIR MAPFILE LISTFILE
"""
import bisect
import collections
import glob
import os
import re
import sys

mode, work, map_path, list_path = sys.argv[1:5]
REGION = ".text.hookwatch_hook_path"


def read_map(path):
    """Input sections of executable output sections: (start, size, out, file, section)."""
    sections = []
    out = None
    for line in open(path, errors="replace"):
        parts = line.split(None, 4)
        if len(parts) < 5:
            continue
        try:
            start, size = int(parts[0], 16), int(parts[2], 16)
        except ValueError:
            continue
        rest = parts[4].strip()
        if rest.startswith(".") and ":(" not in rest:
            out = rest
            continue
        m = re.match(r"^(.*):\((.*)\)$", rest)
        if m and out and out.startswith(".text") and size:
            sections.append((start, size, out, m.group(1), m.group(2)))
    sections.sort()
    return sections


def executed(work, binary_name):
    """Per instruction address of the binary: instructions run, event kinds."""
    cost = collections.Counter()
    kinds = collections.defaultdict(set)
    for f in sorted(glob.glob(os.path.join(work, "*.cg"))):
        kind = os.path.basename(f).split(".")[0]
        ob, sub, col = "", False, 1
        for line in open(f, errors="replace"):
            line = line.rstrip("\n")
            if line.startswith("positions:"):
                col = len(line.split()) - 1  # cost follows the position columns
                continue
            if line.startswith("ob="):
                ob = line[3:]
                continue
            if line.startswith("calls="):
                sub = True
                continue
            if not line.startswith("0x"):
                continue
            if sub:  # the call line's cost is the callee's inclusive cost
                sub = False
                continue
            # A stripped binary is `???` to valgrind; libraries are not ours.
            if not (ob.endswith(binary_name) or ob == "???"):
                continue
            parts = line.split()
            addr = int(parts[0], 16)
            cost[addr] += int(parts[col]) if len(parts) > col else 0
            kinds[addr].add(kind)
    return cost, kinds


def section_of(sections, starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0:
        s = sections[i]
        if s[0] <= addr < s[0] + s[1]:
            return i
    return None


def file_pattern(path, section):
    """Rust function sections name their function: any file (the one LTO
    object has a hashed name). Anything else (`.text` of a C or assembly
    object: glibc in a static build, blake3, ring) is named by its archive
    and member, hash parts as `*`; a bare `.text` for any file would pull
    every object's code in."""
    if re.search(r"\.(_ZN|_R)", section) or path.endswith(".rcgu.o"):
        return "*"
    m = re.match(r"^(.*)\((.*)\)$", path)
    if m:
        archive = re.sub(r"-[0-9a-f]{16}\.rlib$", "-*.rlib", os.path.basename(m.group(1)))
        member = re.sub(r"^[0-9a-f]{16}-", "*-", m.group(2))
        return f"*{archive}:{member}"
    return "*" + os.path.basename(path)


def section_pattern(name):
    """Hash-free: legacy `17h<16 hex>E`, v0 crate disambiguators, LTO suffixes."""
    name = re.sub(r"17h[0-9a-f]{16}E", "17h*E", name)
    name = re.sub(r"Cs[0-9A-Za-z]+_", "Cs*_", name)
    name = re.sub(r"\.llvm\.\d+$", ".llvm.*", name)
    name = re.sub(r"\.\d+$", ".*", name)
    return name


sections = read_map(map_path)
starts = [s[0] for s in sections]
cost, kinds = executed(work, "hookwatch")
if not cost:
    sys.exit("scripts/layout-profile: callgrind recorded nothing in the hookwatch binary")
sec_cost = collections.Counter()
sec_kinds = collections.defaultdict(set)
for addr, c in cost.items():
    i = section_of(sections, starts, addr)
    if i is not None:
        sec_cost[i] += c
        sec_kinds[i] |= kinds[addr]
# Code every profile runs first; then code run by the same set of profiles
# kept together (the guard's code with the guard's, the failure analysis's
# with its own), so each event kind touches few 64 KB windows; within a
# set, the most executed first.
order = sorted(
    sec_cost,
    key=lambda i: (-len(sec_kinds[i]), sorted(sec_kinds[i]), -sec_cost[i], i),
)
used_bytes = sum(sections[i][1] for i in order)

if mode == "--check":
    outside = [i for i in order if sections[i][2] != REGION]
    out_bytes = sum(sections[i][1] for i in outside)
    windows = {a >> 16 for a in cost}
    print(
        f"hook path: {len(order)} sections ({used_bytes // 1024} KB) executed over seven profiles, "
        f"in {len(windows)} 64 KB windows; {len(outside)} sections ({out_bytes // 1024} KB) outside {REGION}"
    )
    for i in outside[:40]:
        print(f"  outside: {sections[i][4]}  ({sections[i][1]} bytes, {sections[i][3]})")
    # Small misses are normal (code the linker made itself, a new helper);
    # a fifth of the hook's code outside means the list is stale.
    if out_bytes > used_bytes // 5:
        sys.exit(
            "scripts/layout-profile: crates/hookwatch/layout/hook-path.txt no longer covers the hook path; "
            "run scripts/layout-profile and commit the list"
        )
    sys.exit(0)

patterns, seen = [], set()


def add(p):
    if p not in seen:
        seen.add(p)
        patterns.append(p)


# What callgrind cannot see, because the program runs differently under
# valgrind: it hides AVX-512, so glibc's string functions and blake3 pick
# other variants than a real CPU (memmove-avx-unaligned-erms.o is seen,
# memmove-evex-unaligned-erms.o runs), and it provides no vDSO, so glibc's
# start-up skips registering one (dl-object.o). The variants an AVX-512 CPU
# picks go right after the one seen; the other variants go last.
members = sorted({(f, s) for (_, _, _, f, s) in sections})
FAMILY = re.compile(r"^(/usr/.*\.a)\(((?:mem|str|wmem|wcs|raw|stp)[a-z0-9_]*)(?:-.*)?\.o\)$")
BLAKE3 = re.compile(r"^(.*)\((?:[0-9a-f]{16}-)?blake3_[a-z0-9]+_x86-64_unix\.o\)$")
later = []


def variants(f):
    """Other members of the same function family as member f."""
    m = FAMILY.match(f)
    if m:
        return [
            (f2, s2)
            for f2, s2 in members
            if f2 != f
            and f2.startswith(m.group(1) + "(")
            and re.match(re.escape(m.group(2)) + r"-", f2[len(m.group(1)) + 1 :])
        ]
    m = BLAKE3.match(f)
    if m:
        return [(f2, s2) for f2, s2 in members if f2 != f and BLAKE3.match(f2)]
    return []


# glibc's start-up code that runs only outside valgrind goes first, with
# the rest of what every event runs.
for f, s in members:
    if re.search(r"/libc\.a\(dl-(object|setup_hash)\.o\)$", f) and s == ".text":
        add(f"{file_pattern(f, s)} {section_pattern(s)}")
# A pattern that stands for several generic instantiations (the hash was the
# only difference) places all of them: those go after the patterns that name
# one function, so the dense start of the region holds only executed code.
same_pattern = collections.Counter(section_pattern(s) for (_, _, _, _, s) in sections)
ambiguous = []
for i in order:
    _, _, _, f, s = sections[i]
    pat = f"{file_pattern(f, s)} {section_pattern(s)}"
    if same_pattern[section_pattern(s)] > 1 and file_pattern(f, s) == "*":
        ambiguous.append(pat)
    else:
        add(pat)
    for f2, s2 in variants(f):
        p = f"{file_pattern(f2, s2)} {section_pattern(s2)}"
        if re.search(r"evex|avx512", f2):
            add(p)
        else:
            later.append(p)
for p in ambiguous:
    add(p)
for p in later:
    add(p)

header = """# The hook path: input sections `hookwatch hook` executes, most used first,
# as `FILE-PATTERN SECTION-PATTERN` for the linker (crates/hookwatch/build.rs).
# Made by scripts/layout-profile (callgrind over seven profiles); checked by
# `scripts/layout-profile --check`. Hashes are `*`: valid across compilers.
"""
open(list_path, "w").write(header + "".join(p + "\n" for p in patterns))
print(f"scripts/layout-profile: {len(patterns)} patterns for {len(order)} sections ({used_bytes // 1024} KB) -> {list_path}")
