// The CPU a local PostgreSQL server has used, from /proc (Linux): the postmaster's own and its
// exited children's time (utime, stime, cutime, cstime of /proc/PID/stat), plus each live child's
// (backends, WAL writer, checkpointer). The difference over a span is what the server spent on
// it, whatever else the shared machine runs. null where /proc or the server cannot be found.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times: USER_HZ, 100 on Linux (sysconf(_SC_CLK_TCK)). */
const TICKS = 100;

interface Stat {
  ppid: number;
  ticks: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: state is field 3.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[1] = ppid (field 4); f[11..14] = utime, stime, cutime, cstime (fields 14..17).
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** The postmaster listening on `port` (its command line has `-p PORT`). */
export function postmasterPid(port: number): number | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!args[0]?.endsWith('postgres')) continue;
      const p = args.indexOf('-p');
      if (p >= 0 && args[p + 1] === String(port)) return pid;
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

/** Seconds of CPU the server on `port` has used so far. */
export function postgresCpuSeconds(port: number): number | null {
  const master = postmasterPid(port);
  if (master === null) return null;
  let ticks = stat(master)?.ticks ?? 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.ppid === master) ticks += s.ticks;
  }
  return ticks / TICKS;
}
