// The manager screen behind the PIN: day log, hourly chart, export,
// settings and PIN change.

import { api, ApiError } from "./api";
import { venueDay } from "./attendant";
import type { HourCount, LogPage } from "./generated/types";
import { reason, t } from "./i18n";
import { initDayField, setDay } from "./day";
import { $, el, toast } from "./dom";

const PAGE_SIZE = 12;
let open = false;
let page = 0;
let tab = "log";
let searchTimer: number | undefined;

/** True while the PIN dialog or the manager screen is open. */
export function isManagerOpen(): boolean {
  return open || !$("pin-dialog").hidden;
}

/** Today at the venue (the status bar's day; the screen's clock may be in another zone). */
function today(): string {
  const day = venueDay();
  if (day) return day;
  const d = new Date();
  const m = String(d.getMonth() + 1).padStart(2, "0");
  return `${d.getFullYear()}-${m}-${String(d.getDate()).padStart(2, "0")}`;
}

function message(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

/** Sets up the PIN dialog and the manager screen. */
export function initManager(): void {
  const pinKeys = $("pin-keys");
  const pinInput = $("pin-input") as HTMLInputElement;
  for (const k of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"]) {
    const b = el("button", { type: "button", class: "key" }, k);
    b.addEventListener("click", () => {
      if (k === "⌫") pinInput.value = pinInput.value.slice(0, -1);
      else if (k === "C") pinInput.value = "";
      else pinInput.value += k;
      pinInput.focus();
    });
    pinKeys.append(b);
  }
  $("pin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void unlock(pinInput.value);
  });
  $("pin-cancel").addEventListener("click", closePinDialog);
  $("pin-dialog").addEventListener("keydown", (e) => {
    if (e.key === "Escape") closePinDialog();
  });
  document.querySelectorAll<HTMLButtonElement>(".tab").forEach((b) =>
    b.addEventListener("click", () => showTab(b.dataset.tab ?? "log")),
  );
  $("btn-back").addEventListener("click", () => void closeManager());
  $("btn-lock").addEventListener("click", () => void closeManager());
  const badDay = (text: string): void => toast(`${t("day_invalid")}: ${text || "-"}`);
  initDayField(
    $("log-day") as HTMLInputElement,
    () => {
      page = 0;
      void loadLog();
    },
    badDay,
  );
  ($("log-search") as HTMLInputElement).addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      page = 0;
      void loadLog();
    }, 250);
  });
  $("log-prev").addEventListener("click", () => {
    page = Math.max(0, page - 1);
    void loadLog();
  });
  $("log-next").addEventListener("click", () => {
    page += 1;
    void loadLog();
  });
  initDayField($("hourly-day") as HTMLInputElement, () => void loadHourly(), badDay);
  $("btn-export-csv").addEventListener("click", () => void exportDay("csv"));
  $("btn-export-xlsx").addEventListener("click", () => void exportDay("xlsx"));
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void saveSettings();
  });
  $("change-pin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void changePin();
  });
}

/** Opens the PIN dialog. */
export function openPinDialog(): void {
  const input = $("pin-input") as HTMLInputElement;
  input.value = "";
  $("pin-error").textContent = "";
  $("pin-dialog").hidden = false;
  input.focus();
}

function closePinDialog(): void {
  $("pin-dialog").hidden = true;
  $("btn-manager").focus();
}

async function unlock(pin: string): Promise<void> {
  try {
    await api.unlockManager(pin);
  } catch (e) {
    $("pin-error").textContent = e instanceof ApiError && e.kind === "wrong_pin" ? `${t("pin_wrong")}: ${e.message}` : message(e);
    ($("pin-input") as HTMLInputElement).value = "";
    return;
  }
  $("pin-dialog").hidden = true;
  open = true;
  document.body.dataset.screen = "manager";
  $("btn-manager").hidden = true;
  $("attendant").hidden = true;
  $("manager").hidden = false;
  for (const id of ["log-day", "hourly-day"]) {
    const input = $(id) as HTMLInputElement;
    if (!input.value) setDay(input, today());
  }
  page = 0;
  showTab("log");
}

async function closeManager(): Promise<void> {
  await api.lockManager().catch(() => undefined);
  open = false;
  document.body.dataset.screen = "attendant";
  $("btn-manager").hidden = false;
  $("manager").hidden = true;
  $("attendant").hidden = false;
  $("btn-manager").focus();
}

function showTab(name: string): void {
  tab = name;
  document.querySelectorAll<HTMLButtonElement>(".tab").forEach((b) => {
    const on = b.dataset.tab === name;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
  });
  for (const n of ["log", "hourly", "settings", "pin"]) $(`tab-${n}`).hidden = n !== name;
  refreshManager();
}

/** Reloads the open tab (after unlocking, switching tabs or languages). */
export function refreshManager(): void {
  if (!open) return;
  if (tab === "log") void loadLog();
  else if (tab === "hourly") void loadHourly();
  else if (tab === "settings") void loadSettings();
}

async function loadLog(): Promise<void> {
  let p: LogPage;
  try {
    p = await api.listEntries({
      day: ($("log-day") as HTMLInputElement).value,
      search: ($("log-search") as HTMLInputElement).value,
      page,
      page_size: PAGE_SIZE,
    });
  } catch (e) {
    toast(message(e));
    return;
  }
  const pages = Math.max(1, Math.ceil(p.total / p.page_size));
  if (page >= pages && p.total > 0) {
    page = pages - 1;
    return loadLog();
  }
  const rows = $("log-rows");
  rows.replaceChildren(
    ...p.rows.map((r) =>
      el(
        "tr",
        { class: `row-${r.outcome}`, "data-id": r.id },
        el("td", {}, r.time),
        el("td", { class: "outcome" }, t(r.outcome === "admit" ? "admit" : "deny")),
        el("td", {}, reason(r.reason_code, r.reason_text)),
        el("td", {}, r.masked_name ?? ""),
        el("td", {}, r.issuer ?? ""),
        el("td", {}, r.colour ? t(r.colour as "green" | "yellow" | "red") : ""),
        el("td", {}, r.temperature !== null ? r.temperature.toFixed(1) : ""),
        el("td", { class: "mono" }, r.pass_id ? r.pass_id.slice(0, 12) : ""),
      ),
    ),
  );
  if (p.rows.length === 0) rows.append(el("tr", {}, el("td", { colspan: "8", class: "empty" }, t("no_entries"))));
  $("log-pageinfo").textContent =
    document.documentElement.lang === "en"
      ? `${t("page")} ${p.page + 1} ${t("of")} ${pages} · ${p.total} ${t("entries")}`
      : `${t("page")} ${p.page + 1} ${t("of")} ${pages} 页 · ${p.total} ${t("entries")}`;
  ($("log-prev") as HTMLButtonElement).disabled = p.page === 0;
  ($("log-next") as HTMLButtonElement).disabled = p.page + 1 >= pages;
}

async function exportDay(format: "csv" | "xlsx"): Promise<void> {
  try {
    const r = await api.exportDay({ day: ($("log-day") as HTMLInputElement).value, format });
    $("export-result").textContent = `${t("exported")}: ${r.path} (${r.rows} ${t("rows")})`;
  } catch (e) {
    $("export-result").textContent = message(e);
  }
}

async function loadHourly(): Promise<void> {
  let counts: HourCount[];
  try {
    counts = await api.getHourlyCounts(($("hourly-day") as HTMLInputElement).value);
  } catch (e) {
    toast(message(e));
    return;
  }
  drawChart(counts);
}

function drawChart(counts: HourCount[]): void {
  const W = 1180;
  const H = 420;
  const pad = { l: 48, r: 16, t: 36, b: 40 };
  const max = Math.max(1, ...counts.map((c) => Math.max(c.admitted, c.denied)));
  const slot = (W - pad.l - pad.r) / 24;
  const bar = slot * 0.36;
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("hourly"));
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const step = Math.max(1, Math.ceil(max / 5));
  for (let v = 0; v <= max; v += step) {
    add("line", { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: "grid" });
    add("text", { x: pad.l - 8, y: y(v) + 5, class: "axis", "text-anchor": "end" }, String(v));
  }
  for (const c of counts) {
    const x = pad.l + c.hour * slot + slot * 0.1;
    add("rect", { x, y: y(c.admitted), width: bar, height: H - pad.b - y(c.admitted), class: "bar-admit" }).append(
      Object.assign(document.createElementNS(ns, "title"), { textContent: `${c.hour}:00 ${t("admitted")} ${c.admitted}` }),
    );
    add("rect", { x: x + bar, y: y(c.denied), width: bar, height: H - pad.b - y(c.denied), class: "bar-deny" });
    if (c.hour % 2 === 0) add("text", { x: x + bar, y: H - pad.b + 22, class: "axis", "text-anchor": "middle" }, `${c.hour}`);
  }
  add("rect", { x: pad.l, y: 8, width: 18, height: 18, class: "bar-admit" });
  add("text", { x: pad.l + 26, y: 23, class: "legend" }, t("admitted"));
  add("rect", { x: pad.l + 150, y: 8, width: 18, height: 18, class: "bar-deny" });
  add("text", { x: pad.l + 176, y: 23, class: "legend" }, t("denied"));
  $("chart").replaceChildren(svg);
}

async function loadSettings(): Promise<void> {
  try {
    const s = await api.getSettings();
    const sel = $("set-camera") as HTMLSelectElement;
    const options = Array.from(new Set(["auto", "synthetic", ...s.cameras, s.camera_source]));
    sel.replaceChildren(...options.map((o) => el("option", { value: o }, o)));
    sel.value = s.camera_source;
    ($("set-fever") as HTMLInputElement).value = s.fever_threshold_c.toFixed(1);
    ($("set-cooldown") as HTMLInputElement).value = String(s.cooldown_seconds);
    ($("set-language") as HTMLSelectElement).value = s.language;
  } catch (e) {
    toast(message(e));
  }
}

async function saveSettings(): Promise<void> {
  try {
    const s = await api.updateSettings({
      camera_source: ($("set-camera") as HTMLSelectElement).value,
      cameras: [],
      fever_threshold_c: Number(($("set-fever") as HTMLInputElement).value),
      cooldown_seconds: Number(($("set-cooldown") as HTMLInputElement).value),
      language: ($("set-language") as HTMLSelectElement).value,
    });
    $("settings-result").textContent = t("saved");
    document.dispatchEvent(new CustomEvent("passgate:language", { detail: s.language }));
  } catch (e) {
    $("settings-result").textContent = message(e);
  }
}

async function changePin(): Promise<void> {
  const current = $("pin-current") as HTMLInputElement;
  const next = $("pin-new") as HTMLInputElement;
  try {
    await api.changePin({ current: current.value, new: next.value });
    $("pin-result").textContent = t("pin_changed");
    document.dispatchEvent(new CustomEvent("passgate:pin-changed"));
  } catch (e) {
    $("pin-result").textContent = message(e);
  }
  current.value = "";
  next.value = "";
}
