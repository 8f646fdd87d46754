import { defineOrcProject } from '../../vitest.shared.js';

export default defineOrcProject(import.meta.dirname);
