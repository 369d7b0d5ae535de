// Screen text in Simplified Chinese and English. Reasons are translated by
// their stable code; an unknown code falls back to the service's English text.

export type Lang = "zh-CN" | "en";

const en = {
  title: "Passgate",
  show_pass: "Show your pass",
  show_pass_hint: "Hold the QR code inside the frame",
  admit: "ADMIT",
  deny: "DENY",
  needs_temperature: "NEEDS TEMPERATURE",
  recorded: "Recorded",
  not_recorded: "Not recorded",
  key_temperature: "Key in the temperature",
  keypad_hint: "Tap the whole degrees, then the tenth",
  cancel: "Cancel",
  ok: "OK",
  admitted: "Admitted",
  denied: "Denied",
  today: "Today",
  issuer: "Issuer",
  temperature: "Temperature",
  camera: "Camera",
  camera_ok: "camera ok",
  camera_missing: "No camera: use the hand scanner",
  camera_none: "No camera",
  demo_feed: "showing the demo feed",
  camera_error: "Camera error",
  camera_finished: "Replay finished",
  trust_ok: "Trust list",
  trust_grace: "Trust list expired (grace)",
  trust_stale: "Trust list out of date",
  trust_missing: "No trust list",
  hours: "h",
  sync_off: "Offline mode",
  online: "Online",
  offline: "Offline",
  backlog: "to upload",
  not_enrolled: "Not enrolled with the hub",
  synced: "synced",
  ago: " ago",
  never_synced: "never synced",
  minutes: "min",
  clock: "Clock",
  clock_ahead: "this clock is ahead of the hub's by",
  clock_behind: "this clock is behind the hub's by",
  set_time: "set the time",
  manager: "Manager",
  language: "中文",
  recent: "Recent",
  pin_title: "Manager PIN",
  pin_enter: "Enter",
  pin_wrong: "Wrong PIN",
  back: "Back to kiosk",
  lock: "Lock",
  log: "Day log",
  hourly: "By hour",
  settings: "Settings",
  change_pin: "Change PIN",
  search: "Search name, issuer, reason, pass id",
  day: "Day",
  prev_day: "Previous day",
  next_day: "Next day",
  day_invalid: "Not a day: write it as YYYY-MM-DD",
  time: "Time",
  outcome: "Outcome",
  reason: "Reason",
  name: "Name",
  colour: "Code",
  pass_id: "Pass id",
  prev: "Previous",
  next: "Next",
  page: "Page",
  of: "of",
  entries: "entries",
  no_entries: "No entries",
  export_csv: "Export CSV",
  export_xlsx: "Export XLSX",
  exported: "Exported",
  rows: "rows",
  camera_source: "Camera",
  fever_threshold: "Fever threshold (°C)",
  cooldown: "Repeat-scan cooldown (s)",
  save: "Save",
  saved: "Saved",
  restart_note: "A camera change takes effect when the kiosk restarts.",
  current_pin: "Current PIN",
  new_pin: "New PIN (4-12 digits)",
  pin_changed: "PIN changed",
  default_pin: "The manager PIN is still the initial one: change it in Manager > Change PIN.",
  initial_pin: "Initial PIN",
  timed_out: "No temperature: pass dropped",
  fever_note: "Fever from",
  green: "green",
  yellow: "yellow",
  red: "red",
  hold_left: "s left",
} as const;

type Key = keyof typeof en;

const zh: Record<Key, string> = {
  title: "Passgate 通行核验",
  show_pass: "请出示健康码",
  show_pass_hint: "请将二维码对准取景框",
  admit: "通过",
  deny: "禁止通行",
  needs_temperature: "请测体温",
  recorded: "已登记",
  not_recorded: "未登记",
  key_temperature: "输入体温",
  keypad_hint: "先按整数位，再按小数位",
  cancel: "取消",
  ok: "确定",
  admitted: "已通过",
  denied: "已拒绝",
  today: "今日",
  issuer: "签发方",
  temperature: "体温",
  camera: "摄像头",
  camera_ok: "摄像头正常",
  camera_missing: "未检测到摄像头：请使用扫码枪",
  camera_none: "无摄像头",
  demo_feed: "正在播放演示画面",
  camera_error: "摄像头故障",
  camera_finished: "回放结束",
  trust_ok: "信任列表",
  trust_grace: "信任列表已过期（宽限期）",
  trust_stale: "信任列表已失效",
  trust_missing: "无信任列表",
  hours: "小时",
  sync_off: "离线模式",
  online: "在线",
  offline: "离线",
  backlog: "条待上传",
  not_enrolled: "未在中心登记",
  synced: "已同步",
  ago: "前",
  never_synced: "尚未同步",
  minutes: "分钟",
  clock: "时钟",
  clock_ahead: "本机时钟比中心快",
  clock_behind: "本机时钟比中心慢",
  set_time: "请校准时间",
  manager: "管理",
  language: "English",
  recent: "最近",
  pin_title: "管理员密码",
  pin_enter: "确认",
  pin_wrong: "密码错误",
  back: "返回核验",
  lock: "锁定",
  log: "当日记录",
  hourly: "分时统计",
  settings: "设置",
  change_pin: "修改密码",
  search: "搜索姓名、签发方、原因、码号",
  day: "日期",
  prev_day: "前一天",
  next_day: "后一天",
  day_invalid: "日期无效，请按 年-月-日 (YYYY-MM-DD) 输入",
  time: "时间",
  outcome: "结果",
  reason: "原因",
  name: "姓名",
  colour: "码色",
  pass_id: "码号",
  prev: "上一页",
  next: "下一页",
  page: "第",
  of: "页，共",
  entries: "条",
  no_entries: "没有记录",
  export_csv: "导出 CSV",
  export_xlsx: "导出 XLSX",
  exported: "已导出",
  rows: "条",
  camera_source: "摄像头",
  fever_threshold: "发热阈值（°C）",
  cooldown: "重复扫码间隔（秒）",
  save: "保存",
  saved: "已保存",
  restart_note: "更换摄像头在重启后生效。",
  current_pin: "当前密码",
  new_pin: "新密码（4-12 位数字）",
  pin_changed: "密码已修改",
  default_pin: "管理员密码仍为初始密码，请在“管理 > 修改密码”中修改。",
  initial_pin: "初始密码",
  timed_out: "未测体温：已放弃",
  fever_note: "发热阈值",
  green: "绿码",
  yellow: "黄码",
  red: "红码",
  hold_left: "秒后自动取消",
};

const reasonsEn: Record<string, string> = {
  ok: "Valid pass",
  fever: "Fever",
  code_yellow: "Yellow code",
  code_red: "Red code",
  expired: "Pass expired",
  not_yet_valid: "Pass not yet valid",
  too_old: "Code too old: refresh it",
  unknown_issuer: "Unknown issuer",
  key_not_valid_at: "Issuer key not valid at issue time",
  issuer_mismatch: "Issuer does not match its key",
  future_issued: "Issued in the future: check the clock",
  implausible_temperature: "Temperature not plausible: measure again",
  bad_signature: "Forged or damaged pass (bad signature)",
  revoked: "Pass revoked",
  malformed: "Not a health pass",
  stale_trust_list: "Trust list out of date",
  no_trust_list: "No trust list",
  repeat: "Already scanned",
};

const reasonsZh: Record<string, string> = {
  ok: "健康码有效",
  fever: "体温异常",
  code_yellow: "黄码",
  code_red: "红码",
  expired: "健康码已过期",
  not_yet_valid: "健康码尚未生效",
  too_old: "健康码已过时，请刷新",
  unknown_issuer: "未知签发方",
  key_not_valid_at: "签发方密钥在签发时无效",
  issuer_mismatch: "签发方与密钥不符",
  future_issued: "签发时间在未来：请检查时钟",
  implausible_temperature: "体温读数异常：请重新测量",
  bad_signature: "伪造或损坏的健康码（签名无效）",
  revoked: "健康码已撤销",
  malformed: "不是健康码",
  stale_trust_list: "信任列表已失效",
  no_trust_list: "无信任列表",
  repeat: "已扫描过",
};

let lang: Lang = "zh-CN";

/** The current language. */
export function currentLang(): Lang {
  return lang;
}

/** Switches the language of `t` and of the document. */
export function setLang(l: string): void {
  lang = l === "en" ? "en" : "zh-CN";
  document.documentElement.lang = lang;
}

/** A screen text in the current language. */
export function t(key: Key): string {
  return lang === "en" ? en[key] : zh[key];
}

/** A verdict reason in words, by code (falls back to the service's English text). */
export function reason(code: string, fallback: string): string {
  const table = lang === "en" ? reasonsEn : reasonsZh;
  return table[code] ?? fallback;
}

/** Translates every element carrying `data-t="key"`. */
export function translateAll(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-t]").forEach((el) => {
    el.textContent = t(el.dataset.t as Key);
  });
  root.querySelectorAll<HTMLInputElement>("[data-tp]").forEach((el) => {
    el.placeholder = t(el.dataset.tp as Key);
  });
  root.querySelectorAll<HTMLElement>("[data-ta]").forEach((el) => {
    el.setAttribute("aria-label", t(el.dataset.ta as Key));
    el.title = t(el.dataset.ta as Key);
  });
}
