#!/usr/bin/env python3
"""Reads the PGM files listed in a manifest with zxing-cpp and prints one JSON
line per image: {"id", "ms", "codes": [hex payload bytes], "texts": [...]}.

Used by `cargo run --release -p passgate-scan --example qrbench`; it feeds
zxing-cpp exactly the greyscale pixels the Rust readers get.
"""
import json
import sys
import time

import numpy as np
import zxingcpp


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    # P5\n<w> <h>\n255\n<bytes>
    parts = data.split(b"\n", 3)
    w, h = (int(v) for v in parts[1].split())
    return np.frombuffer(parts[3], dtype=np.uint8, count=w * h).reshape(h, w)


def main():
    manifest = sys.argv[1]
    for line in open(manifest, encoding="utf-8"):
        ident, path = line.rstrip("\n").split("\t")
        img = read_pgm(path)
        t0 = time.perf_counter()
        c0 = time.thread_time()
        results = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
        cpu_ms = (time.thread_time() - c0) * 1000.0
        ms = (time.perf_counter() - t0) * 1000.0
        print(json.dumps({
            "id": ident,
            "ms": ms,
            "cpu_ms": cpu_ms,
            "codes": [bytes(r.bytes).hex() for r in results],
            "texts": [r.text for r in results],
        }), flush=True)


if __name__ == "__main__":
    main()
