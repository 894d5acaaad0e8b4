#!/usr/bin/env python3
"""Lists pairs of files under src/ that refer to each other by path (`use` or a written
`crate::`/`super::`/`self::` path), and cycles between src/emit's folders.

A file's module path comes from its location (src/a/b.rs and src/a/b/mod.rs are `a::b`).
A path is resolved to the longest module prefix that is a file. A folder's mod.rs and the
files directly in that folder are parent and child: the parent naming its children
(`mod x; pub use x::Y;`) is a declaration, not an import, so those pairs are not reported.
Exit status 1 when a pair is found.
"""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "src"
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".rs"):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] in ("mod", "main", "lib") :
                rel = rel[:-1]
            files[tuple(rel)] = p
mods = set(files)

def strip(src):
    src = re.sub(r"//[^\n]*", "", src)
    src = re.sub(r'"(\\.|[^"\\])*"', '""', src)
    return src

def resolve(base, segs):
    best = None
    for i in range(len(segs), 0, -1):
        if tuple(segs[:i]) in mods:
            best = tuple(segs[:i]); break
    return best

edges = {}
for mod, path in files.items():
    src = strip(open(path, encoding="utf-8").read())
    is_dir_mod = os.path.basename(path) == "mod.rs" or mod == ()
    here = list(mod) if is_dir_mod else list(mod)  # module path
    # expand use-trees roughly: take every path-looking token sequence
    targets = set()
    for m in re.finditer(r"\b((?:crate|super|self)(?:::\w+)+)", src):
        segs = m.group(1).split("::")
        cur = list(here)
        out = []
        for s in segs:
            if s == "crate": cur = []
            elif s == "self": pass
            elif s == "super": cur = cur[:-1]
            else: out.append(s)
        t = resolve(cur, cur + out)
        if t is not None and t != mod: targets.add(t)
    # `use a::{b, c}` groups: resolve each inner name against the prefix
    for m in re.finditer(r"\b((?:crate|super|self)(?:::\w+)*)::\{([^;]*?)\}\s*;", src, re.S):
        prefix = m.group(1).split("::")
        cur = list(here); base = []
        for s in prefix:
            if s == "crate": cur = []
            elif s == "self": pass
            elif s == "super": cur = cur[:-1]
            else: base.append(s)
        for name in re.findall(r"\b(\w+)(?:::\w+)*", m.group(2)):
            t = resolve(cur, cur + base + [name])
            if t is not None and t != mod: targets.add(t)
    # children named from a mod.rs without a prefix (`pub use baa::X`, `baa::f()`)
    if is_dir_mod:
        for m in re.finditer(r"(?<![:\w])(\w+)::\w", src):
            t = tuple(list(mod) + [m.group(1)])
            if t in mods: targets.add(t)
    edges[mod] = targets

def parent_child(a, b):
    return (len(a) + 1 == len(b) and b[:-1] == a) or (len(b) + 1 == len(a) and a[:-1] == b)

bad = []
for a, ts in edges.items():
    for b in ts:
        if a < b and a in edges.get(b, ()) and not parent_child(a, b):
            bad.append((files[a], files[b]))
for a, b in sorted(bad):
    print(f"{a} <-> {b}")
print(f"{len(bad)} pair(s) of files importing each other", file=sys.stderr)
sys.exit(1 if bad else 0)
