#!/usr/bin/env python3
"""Screen-photo stand-in: synthetic greyscale photos of QR codes shown on
phone and monitor screens, as a phone or webcam sees them.

What it models (linear light until the sensor):
  * screen content per screen pixel: a white card with the QR (quiet zone
    3-5 modules, or 2-4 in dark mode), an integer 4-12 screen px per module,
    and UI clutter (title bar, text-like blocks, buttons) around it;
  * the sub-pixel mask: RGB or BGR stripes with black matrix between stripes
    and rows, seen through the camera's colour filters (with crosstalk),
    pre-filtered analytically over each supersample's footprint;
  * a plane-to-camera homography (tilt <= 35 deg, any roll, random distance
    so a module is 2.5-15 camera px and a screen pixel 0.4-3 camera px);
  * s x s supersampling with the optical PSF (sharp Gaussian core, defocus
    disc, motion line) and a wide halo, then a box average per camera pixel;
  * glare on the glass (blob or window band, may clip), ambient reflection,
    vignetting, a smooth environment with a few hard edges, the bezel;
  * sensor: Bayer RGGB mosaic at a random phase, exposure 0.45-1.8x (clips
    above 1), shot + read noise, OpenCV demosaic (bilinear / EA / VNG);
  * camera luma, gamma, local contrast, phone-style sharpening, JPEG q60-95,
    written as an 8-bit greyscale PNG.
Moire comes from the panel grid beating with the sensor / CFA sampling.

What it lacks:
  * PenTile / diamond OLED layouts (most phones), PWM or refresh banding,
    rolling shutter, lens distortion, phone ISP denoising; JPEG is applied
    to the grey image only;
  * a real environment (no hands, text or textures behind the device);
  * apps that scale the code with smoothing (always whole screen pixels per
    module); non-ASCII payloads; more than one code per image.
It is harsher than real held-out photos in places: clipping glare over the
modules, 2.5-3 px modules at 640x480 and exposure up to 1.8x are probably
over-represented.

Each image NNN (000..n-1) depends only on (seed, NNN): NNN.png (the photo),
NNN.txt (the expected text), NNN.json (every parameter), plus manifest.csv
with one row per image when the whole set is generated.
The defaults (--n 150 --seed 20261201) give the set used by compare.py.

Usage: gen.py OUT_DIR [--n 150] [--seed 20261201] [--jobs 1] [--only 3,7]
"""
import argparse
import csv
import io
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import segno
from PIL import Image

cv2.setNumThreads(1)

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
SIZES = [(640, 480), (1280, 720), (1920, 1080), (3024, 4032)]
TAB = 512  # entries in the periodic sub-pixel mask tables


# ---------------------------------------------------------------- payloads
def make_payload(rng):
    r = rng.random()
    if r < 0.3:
        kind = "hc1"
        n = int(rng.integers(260, 341))
        body = "".join(rng.choice(list(B45), size=n))
        return kind, "HC1:" + body
    if r < 0.45:
        kind = "url"
        n = int(rng.integers(20, 120))
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_"
        path = "".join(rng.choice(list(alphabet + "/?=&"), size=n))
        return kind, "https://pass.example.org/" + path
    kind = "text"
    n = int(np.exp(rng.uniform(np.log(20), np.log(400))))
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_!?()[]{}#@/+=*'\"")
    return kind, "".join(rng.choice(alphabet, size=n))


def qr_matrix(text, ecc):
    q = segno.make(text, error=ecc, micro=False, boost_error=False)
    m = np.array([list(row) for row in q.matrix_iter(border=0)], dtype=np.uint8)
    return q, m


# ---------------------------------------------------------------- screen content
def srgb_to_lin(v):
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def build_screen(rng, qr, m, device):
    """Return content (Hs, Ws) float32 linear luminance of each screen pixel,
    and the QR's outer corners (without quiet zone) in screen px."""
    n = qr.shape[0]
    dark = rng.random() < 0.10
    qz = int(rng.integers(2, 5)) if dark else int(rng.integers(3, 6))
    card = (n + 2 * qz) * m
    if device == "phone":
        Ws = int(card * rng.uniform(1.08, 1.5))
        Hs = int(Ws * rng.uniform(1.8, 2.2))
    else:
        Hs = int(card * rng.uniform(1.4, 2.6))
        Ws = int(Hs * 16 / 9)
    bg = float(srgb_to_lin(rng.uniform(0.08, 0.16))) if dark else float(srgb_to_lin(rng.uniform(0.93, 1.0)))
    C = np.full((Hs, Ws), bg, np.float32)
    cx0 = (Ws - card) // 2 + int(rng.integers(-(Ws - card) // 4 - 0, (Ws - card) // 4 + 1)) if Ws > card else 0
    cx0 = int(np.clip(cx0, 0, Ws - card))
    cy0 = int(np.clip(int(Hs * rng.uniform(0.25, 0.55)) - card // 2, 0, Hs - card))
    # UI clutter: title bar, text lines, buttons (avoid the card)
    ui_fg = float(srgb_to_lin(0.85 if dark else 0.2))
    bar_h = max(4, int(Hs * rng.uniform(0.04, 0.08)))
    C[:bar_h, :] = float(srgb_to_lin(rng.uniform(0.15, 0.6)))
    y = bar_h + int(Hs * 0.03)
    line_h = max(3, int(m * rng.uniform(1.0, 2.2)))
    while y + line_h < Hs:
        if not (cy0 - line_h * 2 < y < cy0 + card + line_h):
            if rng.random() < 0.7:
                x = int(Ws * 0.06)
                xe = int(Ws * rng.uniform(0.3, 0.94))
                # words as little blocks
                while x < xe:
                    w = int(line_h * rng.uniform(1.5, 5))
                    C[y:y + line_h, x:min(x + w, xe)] = ui_fg
                    x += w + max(2, line_h // 2)
            elif rng.random() < 0.5:
                bx = int(Ws * 0.1)
                C[y:y + 2 * line_h, bx:Ws - bx] = float(srgb_to_lin(rng.uniform(0.2, 0.6)))
                y += line_h
        y += int(line_h * rng.uniform(1.6, 2.6))
    card_val = 1.0
    C[cy0:cy0 + card, cx0:cx0 + card] = card_val
    qx0, qy0 = cx0 + qz * m, cy0 + qz * m
    mod = np.kron(qr, np.ones((m, m), np.uint8)).astype(bool)
    C[qy0:qy0 + n * m, qx0:qx0 + n * m][mod] = 0.0
    return C, (qx0, qy0, n * m), dark, qz, bg


def subpixel_tables(rng):
    """Periodic 1D profiles across a screen pixel: one per camera colour channel
    in x (RGB stripes seen through the camera's colour filters, with crosstalk),
    and one in y (black matrix between rows)."""
    gx = rng.uniform(0.04, 0.14)   # black matrix between stripes (fraction of pixel)
    gy = rng.uniform(0.08, 0.30)   # black matrix between rows
    w = np.array([rng.uniform(0.24, 0.33), rng.uniform(0.52, 0.64), rng.uniform(0.07, 0.15)])
    w /= w.sum()
    xt = rng.uniform(0.05, 0.25)   # camera colour-filter crosstalk
    M = (1 - xt) * np.eye(3) + xt / 3
    order = [0, 1, 2] if rng.random() < 0.85 else [2, 1, 0]
    fine = 3000
    t = (np.arange(fine) + 0.5) / fine
    stripes = np.zeros((3, fine))
    for k, c in enumerate(order):
        a, b = k / 3 + gx / 2, (k + 1) / 3 - gx / 2
        stripes[c, (t >= a) & (t < b)] = 1.0
    stripes /= stripes.mean(axis=1, keepdims=True)
    px = M @ stripes               # what camera channel c sees across the pixel
    py = ((t >= gy / 2) & (t < 1 - gy / 2)).astype(float)
    return px, py, w, dict(gap_x=round(gx, 3), gap_y=round(gy, 3), luma_w=[round(x, 3) for x in w],
                           crosstalk=round(xt, 3), order="RGB" if order[0] == 0 else "BGR")


def prefilter(profile, width):
    """Circular box filter of a periodic profile (period 1) over `width` periods,
    resampled to TAB entries. Normalised to mean 1."""
    fine = len(profile)
    k = max(1, int(round(width * fine)))
    c = np.cumsum(np.concatenate([profile, profile, profile]))
    idx = np.arange(fine) + fine
    lo = idx - k // 2
    out = (c[lo + k - 1] - c[lo - 1]) / k
    out = out[(np.arange(TAB) * fine) // TAB]
    return (out / profile.mean()).astype(np.float32)


# ---------------------------------------------------------------- geometry
def rot(axis, a):
    c, s = math.cos(a), math.sin(a)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def project_fn(f, R, Z, centre):
    def P(pts):
        pts = np.asarray(pts, float)
        X = np.c_[pts[:, 0] - centre[0], pts[:, 1] - centre[1], np.zeros(len(pts))] @ R.T
        X[:, 2] += Z
        return np.c_[f * X[:, 0] / X[:, 2], f * X[:, 1] / X[:, 2]]
    return P


# ---------------------------------------------------------------- PSF
def psf_kernel(s, sigma, disc_r, mlen, mang):
    """Optical PSF sampled at supersample rate (units: camera px * s)."""
    rad = int(math.ceil((3 * sigma + disc_r + mlen / 2) * s)) + 1
    yy, xx = np.mgrid[-rad:rad + 1, -rad:rad + 1].astype(np.float64) / s
    k = np.exp(-(xx ** 2 + yy ** 2) / (2 * sigma ** 2))
    k /= k.sum()
    if disc_r > 0.05:
        ss = 4  # anti-aliased disc
        o = (np.arange(ss) + 0.5) / ss - 0.5
        d = np.zeros_like(xx)
        for ox in o:
            for oy in o:
                d += ((xx + ox / s) ** 2 + (yy + oy / s) ** 2) <= disc_r ** 2
        d /= d.sum()
        k = cv2.filter2D(k, -1, d, borderType=cv2.BORDER_CONSTANT)
    if mlen > 0.05:
        ml = np.zeros_like(xx)
        for t in np.linspace(-mlen / 2, mlen / 2, max(2, int(mlen * s * 2))):
            ix = int(round(t * math.cos(mang) * s)) + rad
            iy = int(round(t * math.sin(mang) * s)) + rad
            ml[iy, ix] += 1
        ml /= ml.sum()
        k = cv2.filter2D(k, -1, ml, borderType=cv2.BORDER_CONSTANT)
    k /= k.sum()
    return k.astype(np.float32), rad


# ---------------------------------------------------------------- one image
def render(idx, seed):
    rng = np.random.default_rng([seed, idx])
    P = {"id": f"{idx:03d}"}
    W, H = SIZES[int(rng.integers(0, 4))]
    rng.random()  # unused draw, kept so every image stays as it was generated
    P["out"] = f"{W}x{H}"
    device = "phone" if rng.random() < 0.65 else "monitor"
    P["device"] = device

    # payload, sized so the code can fit at >= 2.5 px/module
    for _ in range(50):
        kind, text = make_payload(rng)
        ecc = ["L", "M", "Q"][int(rng.integers(0, 3))]
        q, qr = qr_matrix(text, ecc)
        n = qr.shape[0]
        mod_max = min(15.0, 0.80 * min(W, H) / (n + 2) / 1.3)
        if mod_max >= 2.6:
            break
    P.update(kind=kind, text_len=len(text), ecc=ecc, version=q.version, modules=n)

    mod_px = float(np.exp(rng.uniform(np.log(2.5), np.log(mod_max))))
    pitch = float(np.exp(rng.uniform(np.log(0.4), np.log(3.0))))
    m = int(np.clip(round(mod_px / pitch), 4, 12))
    pitch = mod_px / m
    if pitch < 0.4 or pitch > 3.0:  # keep the pitch in range, move the module size instead
        pitch = float(np.clip(pitch, 0.4, 3.0))
    P["screen_px_per_module"] = m

    C, (qx0, qy0, qside), dark, qz, bg = build_screen(rng, qr, m, device)
    Hs, Ws = C.shape
    P.update(dark_mode=int(dark), quiet_zone=qz)
    px_prof, py_prof, lw, sp = subpixel_tables(rng)
    P.update(sp)
    black = rng.uniform(0.0, 0.004)  # panel black level (LCD ~ 0.001-0.004, OLED ~ 0)
    bezel_frac = rng.uniform(0.03, 0.07) if device == "phone" else rng.uniform(0.01, 0.03)
    bz = bezel_frac * Ws
    dev_box = (-bz, -bz * (1.6 if device == "phone" else 1.0), Ws + bz, Hs + bz * (1.6 if device == "phone" else 2.5))

    # camera geometry
    f = W * rng.uniform(0.75, 1.25) if W > H else H * rng.uniform(0.75, 1.25)
    tilt = float(rng.uniform(0, 35) * (1 if rng.random() < 0.85 else 0.2))
    tilt_axis = float(rng.uniform(0, 2 * math.pi))
    roll = float(rng.uniform(-180, 180)) if rng.random() < 0.5 else float(rng.normal(0, 8))
    Rz = rot("z", math.radians(roll))
    Rt = rot("z", tilt_axis) @ rot("x", math.radians(tilt)) @ rot("z", -tilt_axis)
    R = Rt @ Rz
    qc = (qx0 + qside / 2, qy0 + qside / 2)
    Z = f / pitch
    proj = project_fn(f, R, Z, qc)
    # measured pitch at the QR centre (sqrt of local area scale)
    d = 0.5
    a = proj([(qc[0] - d, qc[1] - d), (qc[0] + d, qc[1] - d), (qc[0] - d, qc[1] + d)])
    e1, e2 = a[1] - a[0], a[2] - a[0]
    pitch_meas = math.sqrt(abs(e1[0] * e2[1] - e1[1] * e2[0]))
    Z *= pitch_meas / pitch
    proj = project_fn(f, R, Z, qc)
    marg = 1.5 * m
    quad_qm = proj([(qx0 - marg, qy0 - marg), (qx0 + qside + marg, qy0 - marg),
                    (qx0 + qside + marg, qy0 + qside + marg), (qx0 - marg, qy0 + qside + marg)])
    lo, hi = quad_qm.min(0), quad_qm.max(0)
    span = hi - lo
    if span[0] > W - 4 or span[1] > H - 4:  # too big after perspective: shrink
        sc = 0.97 * min((W - 4) / span[0], (H - 4) / span[1])
        Z /= sc
        proj = project_fn(f, R, Z, qc)
        quad_qm = proj([(qx0 - marg, qy0 - marg), (qx0 + qside + marg, qy0 - marg),
                        (qx0 + qside + marg, qy0 + qside + marg), (qx0 - marg, qy0 + qside + marg)])
        lo, hi = quad_qm.min(0), quad_qm.max(0)
    off = np.array([rng.uniform(2 - lo[0], W - 2 - hi[0]), rng.uniform(2 - lo[1], H - 2 - hi[1])])
    src = np.float32([(qx0, qy0), (qx0 + qside, qy0), (qx0 + qside, qy0 + qside), (qx0, qy0 + qside)])
    dst = np.float32(proj(src) + off)
    Hm = cv2.getPerspectiveTransform(src, dst)  # screen px -> camera px (continuous, pixel j = [j, j+1))
    Hinv = np.linalg.inv(Hm)
    side = np.linalg.norm(np.roll(dst, -1, 0) - dst, axis=1)
    mod_meas = float(np.sqrt(abs(cv2.contourArea(dst))) / n)
    pitch = mod_meas / m
    P.update(module_px=round(mod_meas, 2), pitch=round(pitch, 3), tilt_deg=round(tilt, 1),
             roll_deg=round(roll, 1), focal_px=round(f), qr_side_ratio=round(side.max() / side.min(), 3),
             corners=";".join(f"{x:.1f},{y:.1f}" for x, y in dst))

    # optics
    # lens PSF = sharp core + wide halo (real lens MTF has long tails; a single
    # Gaussian wide enough to look right kills all moire)
    sigma = float(rng.uniform(0.18, 0.40))
    halo_w = float(rng.uniform(0.08, 0.35))
    halo_s = float(rng.uniform(0.8, 2.0))
    r = rng.random()
    disc_r = 0.0 if r < 0.35 else float(rng.uniform(0.3, 2.0))
    mlen = 0.0 if rng.random() < 0.6 else float(rng.uniform(0.3, 2.5))
    mang = float(rng.uniform(0, math.pi))
    P.update(lens_sigma=round(sigma, 2), halo_w=round(halo_w, 2), halo_sigma=round(halo_s, 2), defocus_r=round(disc_r, 2), motion_len=round(mlen, 2),
             motion_deg=round(math.degrees(mang)))
    eff = math.sqrt(sigma ** 2 + (disc_r / 2) ** 2 + (mlen / 3.5) ** 2)
    s = int(np.clip(math.ceil(max(1.3 / eff, 1.0 / pitch)), 2, 6))
    P["supersample"] = s
    kern, krad = psf_kernel(s, sigma, disc_r, mlen, mang)

    # glare on the glass (screen-plane coordinates), ambient reflection
    glare = rng.random() < 0.30
    amb = float(rng.uniform(0.0, 0.03))
    if glare:
        gtype = "blob" if rng.random() < 0.6 else "band"
        gstr = float(np.exp(rng.uniform(np.log(0.25), np.log(1.6))))
        # put the glare centre near / over the code region
        gcx = qc[0] + rng.uniform(-0.7, 0.7) * qside
        gcy = qc[1] + rng.uniform(-0.7, 0.7) * qside
        gr1 = qside * rng.uniform(0.12, 0.5)
        gr2 = gr1 * rng.uniform(0.3, 1.0)
        gang = rng.uniform(0, math.pi)
        P.update(glare=gtype, glare_strength=round(gstr, 2))
    else:
        P.update(glare="none", glare_strength=0.0)

    def glare_at(u, v):
        out = np.float32(amb)
        if not glare:
            return out
        du, dv = u - gcx, v - gcy
        ca, sa = math.cos(gang), math.sin(gang)
        a1 = du * ca + dv * sa
        a2 = -du * sa + dv * ca
        if gtype == "blob":
            e = np.exp(-0.5 * ((a1 / gr1) ** 2 + (a2 / gr2) ** 2)) ** 0.7
        else:  # a long soft band with a gradient (window reflection)
            e = np.exp(-0.5 * (a2 / gr2) ** 2) * np.clip(0.6 + 0.4 * a1 / (2 * qside), 0.2, 1.0)
        return (amb + gstr * e).astype(np.float32)

    # environment (behind / around the device) at camera resolution
    lo_e = rng.uniform(0.02, 0.25)
    hi_e = lo_e + rng.uniform(0.05, 0.5)
    small = rng.random((max(2, H // 160), max(2, W // 160)))
    E = cv2.resize(small.astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    E = (lo_e + (hi_e - lo_e) * np.clip(E, 0, 1)).astype(np.float32)
    for _ in range(int(rng.integers(0, 4))):  # a few hard edges (desk, sleeve, papers)
        x0, y0 = int(rng.integers(0, W)), int(rng.integers(0, H))
        E[y0:y0 + int(rng.integers(20, H)), x0:x0 + int(rng.integers(20, W))] *= rng.uniform(0.4, 1.8)
    bezel_lum = rng.uniform(0.005, 0.05)

    # area of the image covered by the device (+ PSF margin)
    dev_quad = cv2.perspectiveTransform(np.float32([[(dev_box[0], dev_box[1]), (dev_box[2], dev_box[1]),
                                                     (dev_box[2], dev_box[3]), (dev_box[0], dev_box[3])]]), Hm)[0]
    mg = krad // s + 2
    bx0 = int(max(0, math.floor(dev_quad[:, 0].min()) - mg))
    by0 = int(max(0, math.floor(dev_quad[:, 1].min()) - mg))
    bx1 = int(min(W, math.ceil(dev_quad[:, 0].max()) + mg))
    by1 = int(min(H, math.ceil(dev_quad[:, 1].max()) + mg))
    lin = np.repeat(E[:, :, None], 3, axis=2)

    # mask tables pre-filtered over the supersample footprint (in screen px)
    foot = 1.0 / (pitch * s)
    tx = [prefilter(px_prof[c], min(foot, 1.0)) for c in range(3)]
    ty = prefilter(py_prof, min(foot, 1.0))
    Cb = C * (1.0 - black) + black  # panel black level
    bw = bx1 - bx0
    strip = max(4, int(3_000_000 / (bw * s * s)))
    kk = krad  # supersample margin
    for y0 in range(by0, by1, strip):
        y1 = min(by1, y0 + strip)
        nys = (y1 - y0) * s + 2 * kk
        nxs = bw * s + 2 * kk
        ys = y0 + (np.arange(nys, dtype=np.float64) - kk + 0.5) / s
        xs = bx0 + (np.arange(nxs, dtype=np.float64) - kk + 0.5) / s
        X, Y = np.meshgrid(xs, ys)
        den = Hinv[2, 0] * X + Hinv[2, 1] * Y + Hinv[2, 2]
        u = ((Hinv[0, 0] * X + Hinv[0, 1] * Y + Hinv[0, 2]) / den).astype(np.float32)
        v = ((Hinv[1, 0] * X + Hinv[1, 1] * Y + Hinv[1, 2]) / den).astype(np.float32)
        del X, Y, den
        ins = (u >= 0) & (u < Ws) & (v >= 0) & (v < Hs)
        indev = (u >= dev_box[0]) & (u < dev_box[2]) & (v >= dev_box[1]) & (v < dev_box[3])
        iu = np.clip(np.floor(u), 0, Ws - 1).astype(np.int32)
        iv = np.clip(np.floor(v), 0, Hs - 1).astype(np.int32)
        fu = ((u - np.floor(u)) * TAB).astype(np.int32) % TAB
        fv = ((v - np.floor(v)) * TAB).astype(np.int32) % TAB
        base = Cb[iv, iu] * ty[fv]
        g = glare_at(u, v)
        # environment at supersample rate (bilinear of E around the strip)
        ey0, ey1 = max(0, y0 - mg), min(H, y1 + mg)
        env = cv2.resize(E[ey0:ey1, bx0:bx1], (bw * s, (ey1 - ey0) * s), interpolation=cv2.INTER_LINEAR)
        env = cv2.copyMakeBorder(env, 0, 0, kk, kk, cv2.BORDER_REPLICATE)
        top = (y0 - ey0) * s - kk
        if top < 0:
            env = cv2.copyMakeBorder(env, -top, 0, 0, 0, cv2.BORDER_REPLICATE)
            top = 0
        env = env[top:top + nys]
        if env.shape[0] < nys:
            env = cv2.copyMakeBorder(env, 0, nys - env.shape[0], 0, 0, cv2.BORDER_REPLICATE)
        outside = np.where(indev, bezel_lum + 0.8 * g, env)
        for c in range(3):
            val = np.where(ins, base * tx[c][fu] + g, outside).astype(np.float32)
            val = cv2.filter2D(val, -1, kern, borderType=cv2.BORDER_REPLICATE)
            val = val[kk:kk + (y1 - y0) * s, kk:kk + bw * s]
            lin[y0:y1, bx0:bx1, c] = val.reshape(y1 - y0, s, bw, s).mean(axis=(1, 3))
        del u, v, iu, iv, fu, fv, base, g, env, ins, indev, outside, val

    # wide part of the lens PSF (low-pass, so applying it after pixel integration is exact enough)
    lin = (1 - halo_w) * lin + halo_w * cv2.GaussianBlur(lin, (0, 0), math.sqrt(halo_s ** 2 - sigma ** 2))
    # sensor: Bayer colour filter array (RGGB at a random phase), per-photosite noise
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    rr = ((xx - W / 2) ** 2 + (yy - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2)
    vig = float(rng.uniform(0.0, 0.35))
    lin *= (1 - vig * rr)[:, :, None]
    # exposure: white screen maps to `exposure` of full scale (>1 clips)
    expo = float(np.exp(rng.uniform(np.log(0.45), np.log(1.8))))
    lin *= expo
    ph = int(rng.integers(0, 4))
    cfa = np.zeros((H, W), np.int8) + 1  # green
    ry, rx = ph // 2, ph % 2
    cfa[ry::2, rx::2] = 0                # red
    cfa[1 - ry::2, 1 - rx::2] = 2        # blue
    mosaic = np.take_along_axis(lin, cfa[:, :, None].astype(np.int64), axis=2)[:, :, 0]
    del lin
    shot = float(np.exp(rng.uniform(np.log(2e-4), np.log(4e-3))))
    read = float(rng.uniform(0.002, 0.012))
    mosaic = mosaic + rng.standard_normal(mosaic.shape).astype(np.float32) * np.sqrt(shot * np.clip(mosaic, 0, None) + read ** 2)
    m16 = np.clip(np.round(mosaic * 65535), 0, 65535).astype(np.uint16)
    # OpenCV's Bayer code names the 2x2 pattern by the 2nd row's 2nd/3rd pixels
    code_base = {0: "BG", 1: "GB", 2: "GR", 3: "RG"}[ph]  # RGGB at phase (0,0) is OpenCV "BG"
    dm = ["", "_EA", "_VNG"][int(rng.integers(0, 3))]
    if dm == "_VNG":
        rgb = cv2.cvtColor((m16 >> 8).astype(np.uint8), getattr(cv2, f"COLOR_Bayer{code_base}2RGB_VNG")).astype(np.float32) / 255.0
    else:
        rgb = cv2.cvtColor(m16, getattr(cv2, f"COLOR_Bayer{code_base}2RGB{dm}")).astype(np.float32) / 65535.0
    lin = rgb @ np.asarray(lw, np.float32)  # camera luma
    lin = np.clip(lin, 0, 1)
    gam = float(rng.uniform(1 / 2.4, 1 / 1.8))
    out = lin ** gam
    out = out + rng.uniform(0.0, 0.15) * (out - cv2.GaussianBlur(out, (0, 0), 6))  # local contrast
    sharp = float(rng.uniform(0.0, 1.2)) if rng.random() < 0.7 else 0.0
    if sharp > 0:
        out = out + sharp * (out - cv2.GaussianBlur(out, (0, 0), rng.uniform(0.7, 1.5)))
    g8 = np.clip(np.round(out * 255), 0, 255).astype(np.uint8)
    jq = int(rng.integers(60, 96))
    buf = io.BytesIO()
    Image.fromarray(g8, "L").save(buf, format="JPEG", quality=jq)
    g8 = np.array(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    P.update(demosaic=(dm or 'bilinear').strip('_'), vignette=round(vig, 2), exposure=round(expo, 2), clipped=int(expo > 1.0), shot_noise=round(shot, 5),
             read_noise=round(read, 4), gamma=round(1 / gam, 2), sharpen=round(sharp, 2), jpeg_q=jq,
             glare_amb=round(amb, 3), black_level=round(black, 4))
    return P, g8, text


def one(i, seed, out):
    """Renders image i and writes NNN.png, NNN.txt and NNN.json; returns its parameters."""
    t = time.time()
    P, g8, text = render(i, seed)
    Image.fromarray(g8, "L").save(os.path.join(out, f"{i:03d}.png"))
    with open(os.path.join(out, f"{i:03d}.txt"), "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(os.path.join(out, f"{i:03d}.json"), "w", encoding="utf-8") as fh:
        json.dump(P, fh, default=float)
    print(f"{P['id']} {P['out']} {time.time() - t:.1f} s", file=sys.stderr, flush=True)
    return P


def main():
    ap = argparse.ArgumentParser(description="Synthetic screen photos of QR codes (see the module doc).")
    ap.add_argument("out", help="output directory (created if missing)")
    ap.add_argument("--n", type=int, default=150, help="number of images (default 150)")
    ap.add_argument("--seed", type=int, default=20261201, help="seed (default 20261201)")
    ap.add_argument("--only", default="", help="comma-separated ids to (re)render; no manifest.csv then")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ids = [int(x) for x in a.only.split(",")] if a.only else list(range(a.n))
    if a.jobs > 1:
        from multiprocessing import Pool
        with Pool(a.jobs) as pool:
            rows = pool.starmap(one, [(i, a.seed, a.out) for i in ids])
    else:
        rows = [one(i, a.seed, a.out) for i in ids]
    if not a.only:
        # written last: its presence means the whole set is there
        keys = list(rows[0].keys())
        for r in rows:
            for k in r:
                if k not in keys:
                    keys.append(k)
        with open(os.path.join(a.out, "manifest.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=keys)
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
