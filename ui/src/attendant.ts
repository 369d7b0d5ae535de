// The attendant screen: preview, verdict banner, temperature keypad,
// recent verdicts, counters and the status bar.

import { api, ApiError, startPreview, type PreviewFrame } from "./api";
import type { StatusView, UiSettings, VerdictView } from "./generated/types";
import { reason, t } from "./i18n";
import { $, el, toast } from "./dom";

const sounds = {
  admit: new Audio("/admit.wav"),
  deny: new Audio("/deny.wav"),
};

let settings: UiSettings | null = null;
let current: VerdictView | null = null;
let recent: VerdictView[] = [];
let status: StatusView | null = null;
let resetTimer: number | undefined;
let holdTimer: number | undefined;
let wholeDegrees: number | null = null;

/** Sets up the attendant screen's controls. */
export function initAttendant(): void {
  buildKeypad();
  $("btn-cancel").addEventListener("click", () => void api.cancelPending().catch(showError));
  const input = $("temp-input") as HTMLInputElement;
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const c = parseTemperature(input.value);
      if (c === null) {
        toast(`${t("key_temperature")}: 35.0 – 42.0`);
      } else {
        void submitTemperature(c);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      void api.cancelPending().catch(showError);
    }
  });
  void startPreview(drawPreview);
}

/** Applies screen settings (language changes re-render through `render`). */
export function setSettings(s: UiSettings): void {
  settings = s;
  $("venue").textContent = s.venue_name;
}

/** The manager PIN was changed: the initial-PIN warning goes. */
export function pinChanged(): void {
  if (settings) settings.default_pin = false;
  renderStatus();
}

/** Today at the venue (from the status bar), once the kiosk has reported. */
export function venueDay(): string | null {
  return status?.day ?? null;
}

/** Reads a typed temperature: "36.6", "36,6" or "366". */
export function parseTemperature(text: string): number | null {
  const s = text.trim().replace(",", ".");
  let c: number;
  if (/^\d{2}\.\d$/.test(s)) c = Number(s);
  else if (/^\d{3}$/.test(s)) c = Number(s) / 10;
  else return null;
  return c >= 30 && c <= 45 ? c : null;
}

function buildKeypad(): void {
  const whole = $("keypad-whole");
  for (const d of [35, 36, 37, 38, 39]) {
    const b = el("button", { class: "key", id: `key-${d}` }, `${d}.`);
    b.addEventListener("click", () => {
      wholeDegrees = d;
      whole.querySelectorAll(".key").forEach((k) => k.classList.toggle("chosen", k === b));
      ($("temp-input") as HTMLInputElement).value = `${d}.`;
      ($("keypad-tenth").querySelector(".key") as HTMLElement | null)?.focus();
    });
    whole.append(b);
  }
  const tenth = $("keypad-tenth");
  for (let d = 0; d <= 9; d++) {
    const b = el("button", { class: "key", id: `key-tenth-${d}` }, String(d));
    b.addEventListener("click", () => {
      if (wholeDegrees === null) {
        toast(t("keypad_hint"));
        return;
      }
      void submitTemperature(wholeDegrees + d / 10);
    });
    tenth.append(b);
  }
}

async function submitTemperature(celsius: number): Promise<void> {
  try {
    await api.recordTemperature(Math.round(celsius * 10) / 10);
  } catch (e) {
    showError(e);
  }
}

function showError(e: unknown): void {
  toast(e instanceof ApiError ? e.message : String(e));
}

/** A verdict arrived (or the snapshot had one). */
export function showVerdict(v: VerdictView, fresh = true): void {
  if (current && v.seq < current.seq) return;
  current = v;
  if (v.kind !== "needs_temperature") {
    recent = [v, ...recent.filter((r) => r.seq !== v.seq)].slice(0, 6);
    if (fresh) void (v.kind === "admit" ? sounds.admit : sounds.deny).play().catch(() => undefined);
  }
  window.clearTimeout(resetTimer);
  window.clearInterval(holdTimer);
  if (v.kind === "needs_temperature") {
    let left = v.hold_seconds ?? 30;
    holdTimer = window.setInterval(() => {
      left = Math.max(0, left - 1);
      const foot = $("banner-foot");
      if (current?.seq === v.seq) foot.textContent = `${left} ${t("hold_left")}`;
    }, 1000);
  } else {
    const secs = settings?.verdict_seconds ?? 3;
    resetTimer = window.setTimeout(() => {
      if (current?.seq === v.seq) {
        current = null;
        render();
      }
    }, secs * 1000);
  }
  render();
}

/** The verdict with this seq went away (timeout or cancel). */
export function clearVerdict(seq: number, why: string): void {
  if (current?.seq !== seq) return;
  window.clearInterval(holdTimer);
  current = null;
  if (why === "timeout") toast(t("timed_out"));
  render();
}

/** Replaces the recent list (from a snapshot). */
export function setRecent(list: VerdictView[]): void {
  recent = list;
}

/** New status bar values. */
export function showStatus(s: StatusView): void {
  status = s;
  renderStatus();
}

/** Redraws everything from state (after a verdict or a language switch). */
export function render(): void {
  renderBanner();
  renderRecent();
  renderStatus();
}

function renderBanner(): void {
  const banner = $("banner");
  const v = current;
  const kind = v?.kind ?? "idle";
  banner.dataset.kind = kind;
  banner.dataset.seq = v ? String(v.seq) : "";
  banner.className = `banner ${kind}`;
  const details = $("banner-details");
  details.replaceChildren();
  const keypad = $("keypad");
  const counters = $("counters");
  if (!v) {
    $("banner-word").textContent = t("show_pass");
    $("banner-reason").textContent = t("show_pass_hint");
    $("banner-foot").textContent = "";
    keypad.hidden = true;
    counters.hidden = false;
    wholeDegrees = null;
    return;
  }
  $("banner-word").textContent = t(kind === "admit" ? "admit" : kind === "deny" ? "deny" : "needs_temperature");
  $("banner-reason").textContent = kind === "needs_temperature" ? t("key_temperature") : reason(v.reason_code, v.reason_text);
  const add = (label: string, value: string | null | undefined, cls = "") => {
    if (!value) return;
    details.append(el("dt", {}, label), el("dd", { class: cls }, value));
  };
  add(t("name"), v.masked_name, "name");
  add(t("issuer"), v.issuer);
  add(t("colour"), v.colour ? t(v.colour as "green" | "yellow" | "red") : null);
  add(t("temperature"), v.temperature !== null ? `${v.temperature.toFixed(1)} °C` : null, "temp");
  $("banner-foot").textContent =
    kind === "needs_temperature" ? `${v.hold_seconds ?? ""} ${t("hold_left")}` : v.recorded ? `✓ ${t("recorded")}` : t("not_recorded");
  keypad.hidden = kind !== "needs_temperature";
  counters.hidden = kind === "needs_temperature";
  if (kind === "needs_temperature") {
    const input = $("temp-input") as HTMLInputElement;
    input.value = "";
    wholeDegrees = null;
    $("keypad-whole").querySelectorAll(".key").forEach((k) => k.classList.remove("chosen"));
    input.focus();
  }
}

function renderRecent(): void {
  const list = $("recent-list");
  list.replaceChildren(
    ...recent.map((v) => {
      const time = v.time;
      return el(
        "li",
        { class: `recent-item ${v.kind}`, "data-reason": v.reason_code },
        el("span", { class: "r-time" }, time),
        el("span", { class: "r-kind" }, t(v.kind === "admit" ? "admit" : "deny")),
        el("span", { class: "r-reason" }, reason(v.reason_code, v.reason_text)),
        el("span", { class: "r-name" }, v.masked_name ?? ""),
      );
    }),
  );
}

function renderStatus(): void {
  if (!status) return;
  const s = status;
  $("count-admit").textContent = String(s.counters.admitted);
  $("count-deny").textContent = String(s.counters.denied);
  const cam = $("st-camera");
  const camText = {
    ok: t("camera_ok"),
    missing: s.camera.source === "synthetic" ? `${t("camera_none")}: ${t("demo_feed")}` : t("camera_missing"),
    error: t("camera_error"),
    finished: t("camera_finished"),
  }[s.camera.state];
  cam.textContent = `● ${s.camera.state === "missing" ? t("camera_none") : camText}`;
  cam.title = `${s.camera.source}${s.camera.detail ? `: ${s.camera.detail}` : ""}`;
  cam.className = `chip ${s.camera.state === "ok" ? "good" : "warn"}`;
  $("preview-note").textContent = s.camera.state === "ok" ? "" : camText;
  document.querySelector<HTMLElement>(".scan-frame")?.toggleAttribute("hidden", s.camera.state !== "ok" && s.camera.source !== "synthetic");
  const pin = $("st-pin");
  pin.hidden = !settings?.default_pin;
  pin.textContent = `⚠ ${t("initial_pin")}`;
  pin.title = t("default_pin");
  const trust = $("st-trust");
  const age = s.trust_age_hours !== null ? ` ${s.trust_age_hours}${t("hours")}` : "";
  const seq = s.trust_list_seq !== null ? ` #${s.trust_list_seq}` : "";
  trust.textContent =
    { ok: `${t("trust_ok")}${seq}${age}`, grace: t("trust_grace"), stale: t("trust_stale"), missing: t("trust_missing") }[s.trust];
  trust.className = `chip ${s.trust === "ok" ? "good" : s.trust === "grace" ? "warn" : "bad"}`;
  const sync = $("st-sync");
  const backlog = `${s.sync.backlog} ${t("backlog")}`;
  sync.title = s.sync.last_error ?? "";
  sync.dataset.state = !s.sync.enabled ? "off" : !s.sync.enrolled ? "not_enrolled" : s.sync.online ? "online" : "offline";
  if (!s.sync.enabled) {
    sync.textContent = `${t("sync_off")} · ${backlog}`;
    sync.className = "chip";
  } else if (!s.sync.enrolled) {
    sync.textContent = `${t("not_enrolled")} · ${backlog}`;
    sync.className = "chip bad";
  } else {
    sync.textContent = `${s.sync.online ? t("online") : t("offline")} · ${backlog} · ${lastSync(s.sync.last_success)}`;
    sync.className = `chip ${s.sync.online && !s.sync.last_error ? "good" : "warn"}`;
  }
  const thermo = $("st-thermo");
  thermo.hidden = !s.thermometer;
  if (s.thermometer) {
    const r = s.thermometer.last_reading;
    thermo.textContent = `🌡 ${s.thermometer.connected ? "●" : "○"}${r !== null ? ` ${r.toFixed(1)} °C` : ""}`;
    thermo.className = `chip ${s.thermometer.connected ? "good" : "warn"}`;
  }
  const clock = $("st-clock");
  clock.hidden = !s.clock_warning;
  clock.title = s.clock_warning ?? "";
  clock.textContent = s.clock_warning ? `⚠ ${t("clock")}: ${clockText(s)}` : "";
}

/** "synced 3 min ago" from the last success (RFC 3339), on the screen's clock. */
function lastSync(at: string | null): string {
  if (!at) return t("never_synced");
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 60000));
  return `${t("synced")} ${minutes} ${t("minutes")}${t("ago")}`;
}

/** The clock warning in the screen's language (the service's English words as a fallback). */
function clockText(s: StatusView): string {
  const off = s.sync.clock_offset_seconds;
  if (off === null || Math.abs(off) <= 120 || !s.clock_warning) return s.clock_warning ?? "";
  const minutes = Math.round(Math.abs(off) / 60);
  return `${off > 0 ? t("clock_ahead") : t("clock_behind")} ${minutes} ${t("minutes")}: ${t("set_time")}`;
}

let canvasImage: ImageData | null = null;

function drawPreview(f: PreviewFrame): void {
  const canvas = $("preview") as HTMLCanvasElement;
  if (canvas.width !== f.width || canvas.height !== f.height) {
    canvas.width = f.width;
    canvas.height = f.height;
    canvasImage = null;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  canvasImage ??= ctx.createImageData(f.width, f.height);
  const px = canvasImage.data;
  for (let i = 0, j = 0; i < f.luma.length; i++, j += 4) {
    const v = f.luma[i];
    px[j] = v;
    px[j + 1] = v;
    px[j + 2] = v;
    px[j + 3] = 255;
  }
  ctx.putImageData(canvasImage, 0, 0);
}

/** Collects keyboard-wedge input (a scanner typing the QR text and Enter). */
export function initWedge(isActive: () => boolean): void {
  let buffer = "";
  let last = 0;
  document.addEventListener(
    "keydown",
    (e) => {
      if (!isActive()) return;
      const target = e.target as HTMLElement;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
      const now = performance.now();
      if (now - last > 1000) buffer = "";
      last = now;
      if (e.key === "Enter") {
        if (buffer.length >= 4) {
          e.preventDefault();
          e.stopPropagation();
          const text = buffer;
          buffer = "";
          void api.submitScan(text).catch(showError);
        }
        buffer = "";
      } else if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey) {
        buffer += e.key;
        if (buffer.length > 1) e.preventDefault();
      }
    },
    true,
  );
}
