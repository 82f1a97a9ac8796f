import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux: the processes whose command line mentions `text` (Azurite runs with
 * `--location <dataDir>/azurite`), found through /proc even once orphaned.
 */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
