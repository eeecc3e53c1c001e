/**
 * Preload (`node --import ./bench/agenda-peak.mjs bin/sandi.js ...`): prints the process's peak resident set
 * size on stderr when it exits, as `SANDI_PEAK_RSS_KB=<n>`, so a parent (bench/agenda.mjs, the agenda memory
 * test) can measure a real CLI run in a child process without other tools.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nSANDI_PEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
