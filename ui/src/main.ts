// Boots the kiosk screen: loads the snapshot, subscribes to events and
// switches between the attendant and manager screens.

import "./style.css";
import { api, onKioskEvents } from "./api";
import {
  clearVerdict,
  initAttendant,
  initWedge,
  pinChanged,
  render,
  setRecent,
  setSettings,
  showStatus,
  showVerdict,
} from "./attendant";
import { currentLang, setLang, translateAll } from "./i18n";
import { $, toast } from "./dom";
import { initManager, isManagerOpen, openPinDialog, refreshManager } from "./manager";

function applyLanguage(lang: string): void {
  setLang(lang);
  translateAll();
  render();
  refreshManager();
}

async function boot(): Promise<void> {
  setLang("zh-CN");
  translateAll();
  initAttendant();
  initManager();
  initWedge(() => !isManagerOpen());
  $("btn-manager").addEventListener("click", openPinDialog);
  $("st-pin").addEventListener("click", openPinDialog);
  document.addEventListener("passgate:pin-changed", pinChanged);
  document.addEventListener("passgate:language", (e) => applyLanguage((e as CustomEvent<string>).detail));
  $("btn-lang").addEventListener("click", async () => {
    const next = currentLang() === "en" ? "zh-CN" : "en";
    try {
      const s = await api.setLanguage(next);
      setSettings(s);
      applyLanguage(s.language);
    } catch (e) {
      toast(String(e));
    }
  });
  await onKioskEvents({
    verdict: (v) => showVerdict(v),
    cleared: (c) => clearVerdict(c.seq, c.reason),
    status: showStatus,
  });
  const snap = await api.getSnapshot();
  setSettings(snap.settings);
  setRecent(snap.recent);
  showStatus(snap.status);
  applyLanguage(snap.settings.language);
  if (snap.current) showVerdict(snap.current, false);
  document.body.dataset.ready = "true";
}

boot().catch((e) => {
  document.body.dataset.ready = "error";
  toast(`Passgate: ${e}`);
});
