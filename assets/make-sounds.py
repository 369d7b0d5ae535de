#!/usr/bin/env python3
"""Writes the kiosk's two sounds, admit.wav and deny.wav, next to this file.

Admit: two short rising sine tones (a friendly "ding-ding").
Deny: three low, harsh pulses (square-ish wave), clearly different.
Standard library only; rerun to regenerate: python3 assets/make-sounds.py
"""
import math
import struct
import wave
from pathlib import Path

RATE = 16000


def tone(freq, ms, shape="sine", volume=0.6):
    n = int(RATE * ms / 1000)
    fade = int(RATE * 0.008)
    out = []
    for i in range(n):
        phase = 2 * math.pi * freq * i / RATE
        if shape == "sine":
            v = math.sin(phase)
        else:  # soft square: sum of odd harmonics
            v = sum(math.sin(k * phase) / k for k in (1, 3, 5, 7)) * 0.9
        env = min(1.0, i / fade, (n - i) / fade)
        out.append(v * env * volume)
    return out


def silence(ms):
    return [0.0] * int(RATE * ms / 1000)


def write(name, samples):
    path = Path(__file__).with_name(name)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32767)) for s in samples))
    print(f"wrote {path} ({len(samples) / RATE:.2f} s)")


write("admit.wav", tone(880, 110) + silence(40) + tone(1320, 180))
write("deny.wav", tone(196, 140, "square") + silence(60) + tone(196, 140, "square") + silence(60) + tone(196, 220, "square"))
