/** Loading libunicorn and the constant helpers. */
import { describe, expect, it } from 'vitest';
import {
  UC_CTL_REMOVE_CACHE_WORD,
  UC_CTL_TB_FLUSH_WORD,
  UC_CTL_TB_REMOVE_CACHE,
  UC_CTL_IO_WRITE,
  UC_HOOK_MEM_INVALID,
  UNICORN_SONAME,
  UcErr,
  UnicornUnavailable,
  formatProt,
  loadUnicorn,
  ucCtl,
  ucErrName,
  ucMemTypeName,
  unicornCandidates,
} from '../../src/unicorn/index.js';

describe('loadUnicorn', () => {
  it('loads libunicorn.so.2 once, version 2.0.1', () => {
    const library = loadUnicorn();
    expect(loadUnicorn()).toBe(library);
    expect(library.path).toBe(UNICORN_SONAME);
    expect(library.version).toEqual({ major: 2, minor: 0, patch: 1, raw: 0x020001ff });
  });

  it('tries the soname, then the multiarch directories of the running architecture', () => {
    expect(unicornCandidates('x64')).toEqual([
      'libunicorn.so.2',
      '/usr/lib/x86_64-linux-gnu/libunicorn.so.2',
      '/lib/x86_64-linux-gnu/libunicorn.so.2',
    ]);
    expect(unicornCandidates('arm64')[1]).toBe('/usr/lib/aarch64-linux-gnu/libunicorn.so.2');
    expect(unicornCandidates('sparc')).toEqual(['libunicorn.so.2']);
  });

  it('reports every candidate, why it failed, and how to install the library', () => {
    let error: unknown;
    try {
      loadUnicorn(['/nonexistent/libunicorn.so.2', 'libc.so.6']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnicornUnavailable);
    const unavailable = error as UnicornUnavailable;
    expect(unavailable.attempts.map((a) => a.candidate)).toEqual(['/nonexistent/libunicorn.so.2', 'libc.so.6']);
    expect(unavailable.attempts[1]!.reason).toMatch(/^missing functions/);
    expect(unavailable.message).toContain('/nonexistent/libunicorn.so.2: ');
    expect(unavailable.message).toContain('libc.so.6: missing functions');
    expect(unavailable.message).toContain("'apt-get install libunicorn2'");
    expect(unavailable.message).toContain("'bash tools/setup'");
  });

  it('an explicit candidate list loads a fresh library object', () => {
    const library = loadUnicorn([`/usr/lib/x86_64-linux-gnu/${UNICORN_SONAME}`, UNICORN_SONAME]);
    expect(library).not.toBe(loadUnicorn());
    expect(library.version.major).toBe(2);
  });

  it('strerror drops the name 2.0.1 appends', () => {
    const library = loadUnicorn();
    expect(library.native.uc_strerror(UcErr.UC_ERR_MAP)).toBe('Invalid memory mapping (UC_ERR_MAP)');
    expect(library.strerror(UcErr.UC_ERR_MAP)).toBe('Invalid memory mapping');
  });
});

describe('constants', () => {
  it('names error codes and memory access types', () => {
    expect(ucErrName(UcErr.UC_ERR_WRITE_PROT)).toBe('UC_ERR_WRITE_PROT');
    expect(ucErrName(21)).toBe('UC_ERR_EXCEPTION');
    expect(ucErrName(99)).toBe('UC_ERR_99');
    expect(ucMemTypeName(19)).toBe('UC_MEM_READ_UNMAPPED');
    expect(ucMemTypeName(3)).toBe('UC_MEM_3');
  });

  it('encodes uc_ctl control words like the 2.0.1 macros', () => {
    expect(UC_CTL_REMOVE_CACHE_WORD).toBe(0x4800_0009);
    expect(ucCtl(UC_CTL_TB_REMOVE_CACHE, 2, UC_CTL_IO_WRITE)).toBe(0x4800_0009);
    expect(UC_CTL_TB_FLUSH_WORD).toBe(0x4000_000a);
    expect(ucCtl(3, 1, 2)).toBe(0x8400_0003); // UC_CTL_READ(UC_CTL_UC_TIMEOUT, 1): bit 31 set, still unsigned
  });

  it('formats protections', () => {
    expect([0, 1, 3, 5, 7, 8].map(formatProt)).toEqual(['NONE', 'R', 'RW', 'RX', 'RWX', '0x8']);
    expect(UC_HOOK_MEM_INVALID).toBe(0x3f0);
  });
});

describe('package entry', () => {
  it('re-exports the binding', async () => {
    const entry = await import('../../src/index.js');
    const binding = await import('../../src/unicorn/index.js');
    const names = ['UnicornEngine', 'UnicornError', 'UnicornFault', 'UnicornUnavailable', 'loadUnicorn', 'Arm64Reg'];
    for (const name of names) {
      expect(entry[name as keyof typeof entry], name).toBe(binding[name as keyof typeof binding]);
    }
  });
});
