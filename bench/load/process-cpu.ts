import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (it may hold spaces and parentheses), and the name. */
function stat(pid: number | string): { name: string; fields: string[] } {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { name: line.slice(line.indexOf('(') + 1, line.lastIndexOf(')')), fields: line.slice(line.lastIndexOf(')') + 2).split(' ') };
}

/** CPU time a process has used so far (user + system, all threads), ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const { fields } = stat(pid);
  // utime and stime are fields 14 and 15 of the line: 11 and 12 counted from the state field (3).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time every PostgreSQL process on this machine has used so far, ms: each live process's own
 * (backends, WAL writer, checkpointer, autovacuum) plus, through cutime and cstime, that of the
 * children that have exited (the postmaster reaps them). The bench's server is the machine's.
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { name, fields } = stat(entry);
      if (name !== 'postgres') continue;
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Busy CPU time of the whole machine so far (every core: all but idle and I/O wait), ms, from /proc/stat. */
export function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user, nice, system, , , irq, softirq, steal] = ticks as number[];
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / TICKS_PER_SECOND;
}

/** This process's own CPU time so far (the bench, which drives the load with autocannon in-process), ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
