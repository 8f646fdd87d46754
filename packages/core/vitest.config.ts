import { defineOrcProject } from '../../vitest.shared.js';

// --expose-gc: the dropped-responsibility tests force garbage collection to check that an abandoned
// MaterializationResponsibility fails its queries (FinalizationRegistry in execution-session.ts).
export default defineOrcProject(import.meta.dirname, { test: { execArgv: ['--expose-gc'] } });
