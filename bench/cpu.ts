// CPU time by process, read from /proc (Linux): how much CPU each part of the bench's stack spent while a figure
// ran, so a ratio can be explained by where the time went. Elsewhere every reading is NaN.
import { readdirSync, readFileSync } from 'node:fs';

/** Cumulative CPU of a part of the stack, in ms: its own time plus that of every child it has reaped. */
export type CpuReader = () => number;

const ticksPerSecond = 100; // USER_HZ: 100 on every Linux the bench runs on

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name (field 2) may hold spaces and parentheses: the fields that follow start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) };
  } catch {
    return undefined;
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return stats;
  }
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

/** CPU ms of the processes rooted at `roots` and all their live descendants (a server and its workers/backends). */
export function processTreeCpuMs(roots: readonly number[]): number {
  const stats = allStats();
  if (stats.size === 0) return NaN;
  const inTree = (pid: number) => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (roots.includes(p)) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return (ticks * 1000) / ticksPerSecond;
}

/** This process alone (all its threads): the bench's client, the sandbox, the receiver and the event sink. */
export function selfCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Direct children of this process whose command line matches `pattern` (finds a server the bench spawned). */
export function childPids(pattern: RegExp): number[] {
  const found: number[] = [];
  for (const [pid, stat] of allStats()) {
    if (stat.ppid !== process.pid) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Starts counting; `read()` gives the CPU ms each part spent since. */
export function cpuMeter(parts: Record<string, CpuReader>): { read(): Record<string, number> } {
  const start = Object.fromEntries(Object.entries(parts).map(([name, reader]) => [name, reader()]));
  return {
    read: () => Object.fromEntries(Object.entries(parts).map(([name, reader]) => [name, reader() - start[name]!])),
  };
}
