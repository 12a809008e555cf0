#!/usr/bin/env python3
"""Mends the split build's manifest after cargo-leptos 0.3.8 renamed the files by their hashes.

The manifest (`target/site/pkg/__wasm_split_manifest.<hash>.json`) tells the server which files
each page's piece needs, and the server preloads them with the page (docs/ARCHITECTURE.md,
"Split by route"). cargo-leptos renames `chunk_14` to `chunk_14.<hash>` in it by plain text
replacement without the `.wasm` ending, so the same replacement also hits `chunk_140` ..
`chunk_149`: the manifest then names files that do not exist (`chunk_14.<hash>3`, or
`chunk_14.<hash>3.<hash of chunk_143>`), and every page preloaded a few dozen 404s. Each name
is mapped back to the file it meant, and the build fails if one cannot be.

Usage: scripts/split-manifest.py SITE_PKG_DIR
"""
import json
import pathlib
import re
import sys

pkg = pathlib.Path(sys.argv[1])
manifests = [p for p in pkg.glob("__wasm_split_manifest.*.json")]
if not manifests:
    sys.exit(0)  # not a split build
(manifest,) = manifests

# The files there are: "chunk_143" -> "chunk_143.<hash>".
stems = {}
for wasm in pkg.glob("*.wasm"):
    stems[wasm.stem.split(".")[0]] = wasm.stem
HASH = r"[A-Za-z0-9_-]{22}"
mangled = re.compile(rf"^(chunk_\d+)\.{HASH}(\d*)(?:\.{HASH})?$")


def mended(file):
    if (pkg / f"{file}.wasm").exists():
        return file
    found = mangled.match(file)
    meant = found and stems.get(found.group(1) + found.group(2))
    if not meant:
        sys.exit(f"split manifest: {file}.wasm is not in {pkg} and no file there matches it")
    return meant


pieces = json.loads(manifest.read_text())
fixed = {piece: [mended(f) for f in files] for piece, files in pieces.items()}
if fixed != pieces:
    manifest.write_text(json.dumps(fixed))
    # Its compressed copies say what the file said before; no browser asks for it.
    for copy in (manifest.with_name(manifest.name + ".gz"), manifest.with_name(manifest.name + ".br")):
        copy.unlink(missing_ok=True)
    changed = sum(a != b for piece in pieces for a, b in zip(pieces[piece], fixed[piece]))
    print(f"split manifest: {changed} file names mended in {manifest.name}")
