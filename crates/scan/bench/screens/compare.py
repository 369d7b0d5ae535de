#!/usr/bin/env python3
"""Screen-photo stand-in: passgate decode vs zxing-cpp on the same images.

Reads every NNN.png in IMG_DIR (made by gen.py) with
  * `PASSGATE decode --json [--budget-ms N]` (one process for all images;
    the time is the binary's own decode_ms, which excludes loading the PNG),
  * zxing-cpp's `read_barcodes` for QR codes only (as `qrbench` does;
    otherwise default options) on the same 8-bit greyscale numpy array
    (the time is that call only),
and prints Markdown: the overall table, a table by output size, and the ids
one reader reads and the other misses.

An image counts as read when its expected text (NNN.txt) is among the
decoded texts; every other decoded text counts as wrong. p95 is the
nearest-rank 95th percentile.

Usage: compare.py PASSGATE IMG_DIR [--budget-ms N]
"""
import argparse
import glob
import importlib.metadata
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import zxingcpp
from PIL import Image


def run_passgate(binary, files, budget_ms):
    """Returns {abspath: (texts, ms)} from one `passgate decode --json` run."""
    cmd = [binary, "decode", "--json"]
    if budget_ms is not None:
        cmd += ["--budget-ms", str(budget_ms)]
    proc = subprocess.run(cmd + files, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"compare.py: {' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr}")
    out = {}
    for line in proc.stdout.splitlines():
        j = json.loads(line)
        out[os.path.abspath(j["file"])] = ([c["text"] for c in j["codes"]], float(j["decode_ms"]))
    missing = [f for f in files if f not in out]
    if missing:
        sys.exit(f"compare.py: passgate printed no result for {len(missing)} image(s), e.g. {missing[0]}")
    return out


def run_zxing(path):
    """Returns (texts, ms, 'WxH') for one image."""
    with Image.open(path) as im:
        grey = np.array(im.convert("L"))
    t = time.perf_counter()
    results = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    ms = (time.perf_counter() - t) * 1000.0
    h, w = grey.shape
    return [r.text for r in results], ms, f"{w}x{h}"


def p95(values):
    s = sorted(values)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def fmt_ms(x):
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser(description="passgate decode vs zxing-cpp on the screen-photo stand-in.")
    ap.add_argument("passgate", help="path of the passgate binary")
    ap.add_argument("img_dir", help="directory with NNN.png + NNN.txt (gen.py output)")
    ap.add_argument("--budget-ms", type=int, default=None, help="passed to passgate decode (its default: 50)")
    a = ap.parse_args()

    files = sorted(os.path.abspath(f) for f in glob.glob(os.path.join(a.img_dir, "[0-9][0-9][0-9].png")))
    if not files:
        sys.exit(f"compare.py: no NNN.png in {a.img_dir}; generate them with gen.py")
    expected = {}
    for f in files:
        with open(f[:-4] + ".txt", encoding="utf-8") as fh:
            expected[f] = fh.read()

    ours = run_passgate(a.passgate, files, a.budget_ms)
    rows = []
    for f in files:
        zt, zms, size = run_zxing(f)
        ot, oms = ours[f]
        exp = expected[f]
        rows.append(dict(id=os.path.basename(f)[:-4], size=size,
                         pg=exp in ot, pg_wrong=sum(t != exp for t in ot), pg_ms=oms,
                         zx=exp in zt, zx_wrong=sum(t != exp for t in zt), zx_ms=zms))

    n = len(rows)
    budget = f"--budget-ms {a.budget_ms}" if a.budget_ms is not None else "(default budget)"
    readers = [
        (f"passgate decode {budget}", "pg"),
        (f"zxing-cpp {importlib.metadata.version('zxing-cpp')} read_barcodes (QR only)", "zx"),
    ]
    print(f"Screen-photo stand-in: {n} images\n")
    print("| reader | read | rate | wrong | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for name, k in readers:
        read = sum(r[k] for r in rows)
        ms = [r[k + "_ms"] for r in rows]
        print(f"| {name} | {read}/{n} | {100 * read / n:.0f}% | {sum(r[k + '_wrong'] for r in rows)} "
              f"| {fmt_ms(statistics.median(ms))} | {fmt_ms(p95(ms))} | {fmt_ms(max(ms))} |")

    sizes = sorted({r["size"] for r in rows}, key=lambda s: (int(s.split("x")[0]) * int(s.split("x")[1]), s))
    print("\n| output size | n | passgate read | zxing-cpp read | passgate median ms | zxing-cpp median ms |")
    print("|---|---|---|---|---|---|")
    for s in sizes:
        g = [r for r in rows if r["size"] == s]
        m = len(g)
        pg, zx = sum(r["pg"] for r in g), sum(r["zx"] for r in g)
        print(f"| {s} | {m} | {pg} ({100 * pg / m:.0f}%) | {zx} ({100 * zx / m:.0f}%) "
              f"| {fmt_ms(statistics.median(r['pg_ms'] for r in g))} "
              f"| {fmt_ms(statistics.median(r['zx_ms'] for r in g))} |")

    def ids(pred):
        sel = [r["id"] for r in rows if pred(r)]
        return f"{len(sel)}: {' '.join(sel)}" if sel else "0"

    print()
    print(f"* passgate reads, zxing-cpp misses ({ids(lambda r: r['pg'] and not r['zx'])})")
    print(f"* zxing-cpp reads, passgate misses ({ids(lambda r: r['zx'] and not r['pg'])})")
    print(f"* neither reads ({ids(lambda r: not r['pg'] and not r['zx'])})")


if __name__ == "__main__":
    main()
