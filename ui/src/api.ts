// The only module that talks to the Rust side: every `invoke` and `listen`
// of the app is here, typed with the generated types.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  Cleared,
  CommandError,
  ExportRequest,
  ExportResult,
  HourCount,
  LogPage,
  LogQuery,
  PinChange,
  SettingsView,
  Snapshot,
  StatusView,
  UiSettings,
  VerdictView,
} from "./generated/types";
import { PREVIEW_HEADER_BYTES } from "./generated/types";

/** A failed command, with the service's kind and message. */
export class ApiError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = e as Partial<CommandError>;
    if (err && typeof err === "object" && typeof err.kind === "string") {
      throw new ApiError(err.kind, err.message ?? err.kind);
    }
    throw new ApiError("internal", String(e));
  }
}

export const api = {
  getSnapshot: () => call<Snapshot>("get_snapshot"),
  submitScan: (text: string) => call<VerdictView | null>("submit_scan", { text }),
  recordTemperature: (celsius: number) => call<VerdictView>("record_temperature", { celsius }),
  cancelPending: () => call<void>("cancel_pending"),
  setLanguage: (language: string) => call<UiSettings>("set_language", { language }),
  unlockManager: (pin: string) => call<void>("unlock_manager", { pin }),
  lockManager: () => call<void>("lock_manager"),
  listEntries: (query: LogQuery) => call<LogPage>("list_entries", { query }),
  getHourlyCounts: (day: string) => call<HourCount[]>("get_hourly_counts", { day }),
  exportDay: (request: ExportRequest) => call<ExportResult>("export_day", { request }),
  getSettings: () => call<SettingsView>("get_settings"),
  updateSettings: (settings: SettingsView) => call<SettingsView>("update_settings", { settings }),
  changePin: (change: PinChange) => call<void>("change_pin", { change }),
};

/** One preview picture: luma, `width * height` bytes. */
export interface PreviewFrame {
  width: number;
  height: number;
  seq: number;
  luma: Uint8Array;
}

/**
 * Starts the preview stream; `onFrame` gets every frame the kiosk sends.
 * The kiosk sends one frame at a time and the next once this one is drawn.
 */
export async function startPreview(onFrame: (frame: PreviewFrame) => void): Promise<void> {
  const channel = new Channel<ArrayBuffer>();
  channel.onmessage = (buf) => {
    const view = new DataView(buf);
    const width = view.getUint16(0, true);
    const height = view.getUint16(2, true);
    const seq = view.getUint32(4, true);
    onFrame({ width, height, seq, luma: new Uint8Array(buf, PREVIEW_HEADER_BYTES, width * height) });
    // Drawn: the kiosk sends the next frame only now, so a busy screen
    // gets fewer frames rather than a growing queue of them.
    requestAnimationFrame(() => void call<void>("preview_shown").catch(() => undefined));
  };
  await call<void>("start_preview", { channel });
}

/** Subscribes to the kiosk's events. */
export async function onKioskEvents(handlers: {
  verdict: (v: VerdictView) => void;
  cleared: (c: Cleared) => void;
  status: (s: StatusView) => void;
}): Promise<UnlistenFn[]> {
  return Promise.all([
    listen<VerdictView>("scan:verdict", (e) => handlers.verdict(e.payload)),
    listen<Cleared>("scan:cleared", (e) => handlers.cleared(e.payload)),
    listen<StatusView>("kiosk:status", (e) => handlers.status(e.payload)),
  ]);
}
