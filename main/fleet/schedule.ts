// Access rules: does one of a person's groups open this door at this instant? Weekly windows
// are read in each group's own IANA time zone (Intl does the DST arithmetic), so "Mon 09:00–17:00
// Asia/Tokyo" means Tokyo's Monday whatever the door's clock zone is.
import type { GroupDoc } from './entities.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday (0 = Sunday) and minutes since midnight at `time` in `timeZone`. */
export function localWeekTime(time: number, timeZone: string): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone; groups are validated with isValidTimeZone first.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(time).map((p) => [p.type, p.value]));
  return {
    day: WEEKDAYS.indexOf(parts.weekday ?? ''),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `group` grants `door` at `time` (ms since the epoch). Window end is exclusive. */
export function groupGrants(group: GroupDoc, door: string, time: number): boolean {
  if (!group.doors.includes('*') && !group.doors.includes(door)) return false;
  if (!isValidTimeZone(group.timeZone)) return false; // fail closed on a zone this runtime lacks
  const { day, minute } = localWeekTime(time, group.timeZone);
  return group.windows.some(
    (w) => w.days.includes(day) && minute >= minutes(w.start) && minute < minutes(w.end),
  );
}

/** Parses a CLI window such as `mon-fri,09:00-17:00` or `sat,sun,10:00-12:00`. */
export function parseWindow(text: string): { days: number[]; start: string; end: string } {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  const times = parts.pop() ?? '';
  const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(times);
  if (!m) throw new Error(`window '${text}': expected DAYS,HH:MM-HH:MM, e.g. mon-fri,09:00-17:00`);
  const names = WEEKDAYS.map((d) => d.toLowerCase());
  const days = new Set<number>();
  for (const p of parts) {
    const [a, b] = p.split('-');
    const from = names.indexOf(a ?? '');
    const to = b === undefined ? from : names.indexOf(b);
    if (from < 0 || to < 0)
      throw new Error(`window '${text}': unknown day '${p}' (use sun mon tue wed thu fri sat)`);
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  if (days.size === 0) throw new Error(`window '${text}': no days given`);
  return { days: [...days].sort(), start: m[1]!, end: m[2]! };
}
