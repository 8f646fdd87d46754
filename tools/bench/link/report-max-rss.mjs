/**
 * Preloaded (`node --import`) into the orc-jitlink child when GNU time is not available: writes what GNU time's
 * `-f '%M %U %S'` would (peak RSS in KiB, user and system CPU seconds, from `process.resourceUsage()`) to
 * $LINK_BENCH_RSS_FILE at exit.
 */
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.LINK_BENCH_RSS_FILE;
  if (!file) return;
  const u = process.resourceUsage();
  writeFileSync(file, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
});
