import { OrcError } from './errors.js';

/**
 * Thrown out of a call into the executor when the program called `exit(status)` (or returned from `main` through
 * a runtime that turns that into an exit). Not a failure: whoever runs the program catches it, runs the exit
 * handlers, and uses {@link ProgramExit.status} as the exit status.
 */
export class ProgramExit extends OrcError {
  /** The status passed to `exit` (truncated to 8 bits by the caller if it reports a process status). */
  readonly status: number;
  constructor(status: number) {
    super(`program called exit(${status})`);
    this.status = status;
  }
}
