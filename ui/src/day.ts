// A day field shown the same in every language: YYYY-MM-DD text with
// previous/next-day buttons. The webview's own date input follows the
// operating system's locale (US month/day order on a Chinese kiosk) and its
// picker is small for a touch screen.

/** True for a real calendar day written as YYYY-MM-DD. */
export function isDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** The day `days` after `day` (YYYY-MM-DD, calendar arithmetic, no time zone). */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Wires a day field: `input` holds the day, the buttons carrying
 * `data-day-step="-1"` / `"1"` next to it move it, and `onChange` runs with
 * each new valid day. A typed text that is not a day is refused with
 * `onInvalid` and the last good day comes back.
 */
export function initDayField(
  input: HTMLInputElement,
  onChange: (day: string) => void,
  onInvalid: (text: string) => void,
): void {
  let last = input.value;
  input.addEventListener("day-reset", () => {
    last = input.value;
    input.removeAttribute("aria-invalid");
  });
  const set = (day: string): void => {
    input.value = day;
    input.removeAttribute("aria-invalid");
    if (day !== last) {
      last = day;
      onChange(day);
    }
  };
  const commit = (): void => {
    const text = input.value.trim();
    if (text === last) return;
    if (isDay(text)) {
      set(text);
    } else {
      input.setAttribute("aria-invalid", "true");
      onInvalid(text);
      input.value = last;
    }
  };
  input.addEventListener("change", commit);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      commit();
    } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && isDay(input.value)) {
      e.preventDefault();
      set(shiftDay(input.value, e.key === "ArrowUp" ? 1 : -1));
    }
  });
  input.parentElement?.querySelectorAll<HTMLButtonElement>("[data-day-step]").forEach((b) =>
    b.addEventListener("click", () => {
      const base = isDay(input.value) ? input.value : last;
      if (isDay(base)) set(shiftDay(base, Number(b.dataset.dayStep)));
    }),
  );
}

/** Puts `day` in the field without running its `onChange`. */
export function setDay(input: HTMLInputElement, day: string): void {
  input.value = day;
  input.dispatchEvent(new Event("day-reset"));
}
