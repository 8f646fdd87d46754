/** Mapping, reading, writing and protecting emulated memory; uc_* failures become typed UnicornErrors. */
import { describe, expect, it } from 'vitest';
import {
  UC_PROT_ALL,
  UC_PROT_EXEC,
  UC_PROT_READ,
  UC_PROT_WRITE,
  UcErr,
  UnicornError,
  xReg,
} from '../../src/unicorn/index.js';
import { CODE, engineWithCode, load, words } from './helpers.js';

const DATA = 0x10_0000n;

function unicornError(fn: () => unknown): UnicornError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UnicornError) return e;
    throw e;
  }
  throw new Error('expected a UnicornError');
}

describe('memory', () => {
  it('round-trips bytes, also across two adjacent mappings', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x1000, UC_PROT_READ | UC_PROT_WRITE);
    engine.memMap(DATA + 0x1000n, 0x2000, UC_PROT_READ);
    const bytes = Uint8Array.from({ length: 0x200 }, (_, i) => (i * 7 + 3) & 0xff);
    engine.memWrite(DATA + 0xf00n, bytes);
    expect(engine.memRead(DATA + 0xf00n, 0x200)).toEqual(bytes);
    const target = new Uint8Array(16).fill(0xee);
    engine.memReadInto(DATA + 0xf04n, target.subarray(4, 12));
    expect(Array.from(target)).toEqual([
      0xee, 0xee, 0xee, 0xee, ...Array.from(bytes.subarray(4, 12)), 0xee, 0xee, 0xee, 0xee,
    ]);
    expect(engine.memRead(DATA, 0)).toEqual(new Uint8Array(0));
    engine.memWrite(DATA, new Uint8Array(0));
    expect(engine.memRead(DATA + 0x2ff8n, 8)).toEqual(new Uint8Array(8)); // fresh mappings read as zero
  });

  it('lists regions with their protections, and follows protect and partial unmap', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x3000, UC_PROT_READ | UC_PROT_WRITE);
    expect(engine.memRegions()).toEqual([
      { begin: CODE, end: CODE + 0xffffn, perms: UC_PROT_ALL },
      { begin: DATA, end: DATA + 0x2fffn, perms: UC_PROT_READ | UC_PROT_WRITE },
    ]);
    engine.memProtect(DATA + 0x1000n, 0x1000, UC_PROT_READ | UC_PROT_EXEC);
    engine.memUnmap(DATA + 0x2000n, 0x1000);
    expect(engine.memRegions().slice(1)).toEqual([
      { begin: DATA, end: DATA + 0xfffn, perms: UC_PROT_READ | UC_PROT_WRITE },
      { begin: DATA + 0x1000n, end: DATA + 0x1fffn, perms: UC_PROT_READ | UC_PROT_EXEC },
    ]);
  });

  it('memWrite ignores protections (debugger semantics) while the guest is still refused', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x1000, UC_PROT_READ);
    engine.memWrite(DATA, words(0xcafe_f00d));
    expect(engine.memRead(DATA, 4)).toEqual(words(0xcafe_f00d));
    load(engine, CODE, words(0xf9000062, 0xd503201f)); // str x2, [x3]
    engine.regWrite(xReg(3), DATA);
    expect(() => engine.start(CODE, CODE + 4n)).toThrow(expect.objectContaining({ kind: 'write-protected' }));
    engine.memProtect(DATA, 0x1000, UC_PROT_READ | UC_PROT_WRITE);
    engine.regWrite(xReg(2), 0x77n);
    expect(engine.start(CODE, CODE + 4n).reason).toBe('until');
    expect(engine.memRead(DATA, 8)).toEqual(words(0x77, 0));
  });

  it('reports failures with the operation, its arguments, the code name and Unicorn text', () => {
    const engine = engineWithCode();
    const overlap = unicornError(() => engine.memMap(CODE + 0x1000n, 0x2000, UC_PROT_ALL));
    expect(overlap.message).toBe('uc_mem_map(0x11000, 0x2000, RWX): UC_ERR_MAP (Invalid memory mapping)');
    expect(overlap).toMatchObject({
      code: UcErr.UC_ERR_MAP,
      codeName: 'UC_ERR_MAP',
      description: 'Invalid memory mapping',
      operation: 'uc_mem_map',
      args: '0x11000, 0x2000, RWX',
    });
    expect(unicornError(() => engine.memMap(DATA + 0x10n, 0x1000, UC_PROT_READ)).message).toBe(
      'uc_mem_map(0x100010, 0x1000, R): UC_ERR_ARG (Invalid argument)',
    );
    expect(unicornError(() => engine.memMap(DATA, 0x1001, UC_PROT_READ)).code).toBe(UcErr.UC_ERR_ARG);
    expect(unicornError(() => engine.memRead(0x9_0000n, 4)).message).toBe(
      'uc_mem_read(0x90000, 0x4): UC_ERR_READ_UNMAPPED (Invalid memory read)',
    );
    expect(unicornError(() => engine.memWrite(0x9_0000n, new Uint8Array(3))).message).toBe(
      'uc_mem_write(0x90000, <3 bytes>): UC_ERR_WRITE_UNMAPPED (Invalid memory write)',
    );
    const straddling = unicornError(() => engine.memWrite(CODE + 0xfffen, new Uint8Array(4)));
    expect(straddling.code).toBe(UcErr.UC_ERR_WRITE_UNMAPPED);
    expect(unicornError(() => engine.memProtect(0x9_0000n, 0x1000, UC_PROT_READ)).operation).toBe('uc_mem_protect');
    expect(unicornError(() => engine.memUnmap(0x9_0000n, 0x1000)).operation).toBe('uc_mem_unmap');
  });
});
