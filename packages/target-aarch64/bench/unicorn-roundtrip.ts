/**
 * Rough costs of the Unicorn binding: emulation speed, host-call round trips, register access.
 * Run with `npx tsx packages/target-aarch64/bench/unicorn-roundtrip.ts`.
 */
import { Arm64Reg, UC_PROT_ALL, UnicornEngine, xReg } from '../src/unicorn/index.js';

const CODE = 0x10000n;
const SENTINEL = 0x7fff_0000n;

function words(...instructions: number[]): Uint8Array {
  const bytes = new Uint8Array(instructions.length * 4);
  const view = new DataView(bytes.buffer);
  instructions.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return bytes;
}

function engineWith(code: Uint8Array): UnicornEngine {
  const engine = new UnicornEngine();
  engine.memMap(CODE, 0x10000, UC_PROT_ALL);
  engine.memWrite(CODE, code);
  return engine;
}

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return [result, Number(process.hrtime.bigint() - t0) / 1e6];
}

const rows: [string, string][] = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.log(`${name.padEnd(64)} ${value}`);
};

// --- emulation speed: x5 iterations of { add x0, x0, #1; subs x5, x5, #1; b.ne } = 3 instructions each
const LOOP = words(
  0x91000400, // loop: add x0, x0, #1
  0xf10004a5, //       subs x5, x5, #1
  0x54ffffc1, //       b.ne loop
  0xd65f03c0, //       ret
);
for (const [label, options] of [
  ['loop, no budget', {}],
  ['loop, precisePc (instruction counter on)', { precisePc: true }],
  ['loop, 20 s timeout budget', { timeoutMicros: 20_000_000 }],
] as const) {
  const engine = engineWith(LOOP);
  const iterations = 50_000_000n;
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  engine.regWrite(xReg(5), 1000n);
  engine.start(CODE, SENTINEL, options); // warm up the translation
  engine.regWrite(xReg(5), iterations);
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const [, ms] = time(() => engine.start(CODE, SENTINEL, options));
  report(label, `${((Number(iterations) * 3) / ms / 1e3).toFixed(0)} M instructions/s (${ms.toFixed(0)} ms)`);
  engine.close();
}

// --- host calls: x5 iterations of { svc #1; subs x5, x5, #1; b.ne } then ret
const HOSTCALL_LOOP = words(
  0xd4000021, // loop: svc #1
  0xf10004a5, //       subs x5, x5, #1
  0x54ffffc1, //       b.ne loop
  0xd65f03c0, //       ret
);
const CALLS = 200_000;
{
  const engine = engineWith(HOSTCALL_LOOP);
  engine.onInterrupt(() => engine.regWrite(xReg(0), engine.regRead(xReg(0)) + 1n));
  engine.regWrite(xReg(5), BigInt(CALLS));
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const [, ms] = time(() => engine.start(CODE, SENTINEL));
  report('synchronous host call (handled inside the hook)', `${((ms * 1e3) / CALLS).toFixed(2)} µs/call`);
  engine.close();
}
{
  const engine = engineWith(HOSTCALL_LOOP);
  engine.onInterrupt(() => engine.stop());
  engine.regWrite(xReg(5), BigInt(CALLS));
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const [, ms] = time(() => {
    let pc = CODE;
    for (;;) {
      const r = engine.start(pc, SENTINEL);
      if (r.reason === 'until') break;
      engine.regWrite(xReg(0), engine.regRead(xReg(0)) + 1n);
      pc = r.pc;
    }
  });
  report('stop in hook + resume with start(pc) (no await)', `${((ms * 1e3) / CALLS).toFixed(2)} µs/round trip`);
  engine.close();
}
{
  const engine = engineWith(HOSTCALL_LOOP);
  engine.onInterrupt(() => engine.stop());
  const calls = CALLS / 4;
  engine.regWrite(xReg(5), BigInt(calls));
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const t0 = process.hrtime.bigint();
  let pc = CODE;
  for (;;) {
    const r = engine.start(pc, SENTINEL);
    if (r.reason === 'until') break;
    const value = await Promise.resolve(engine.regRead(xReg(0)) + 1n);
    engine.regWrite(xReg(0), value);
    pc = r.pc;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  report('stop + await (microtask) + resume', `${((ms * 1e3) / calls).toFixed(2)} µs/round trip`);
  engine.close();
}
{
  const engine = engineWith(HOSTCALL_LOOP);
  engine.onInterrupt(() => engine.stop());
  const calls = CALLS / 10;
  engine.regWrite(xReg(5), BigInt(calls));
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const t0 = process.hrtime.bigint();
  let pc = CODE;
  for (;;) {
    const r = engine.start(pc, SENTINEL);
    if (r.reason === 'until') break;
    await new Promise((resolve) => setImmediate(resolve));
    pc = r.pc;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  report('stop + await setImmediate (event-loop turn) + resume', `${((ms * 1e3) / calls).toFixed(2)} µs/round trip`);
  engine.close();
}

// --- register access and an empty run
{
  const engine = engineWith(words(0xd503201f, 0xd503201f));
  const regs = Array.from({ length: 31 }, (_, n) => xReg(n));
  const N = 20_000;
  let [, ms] = time(() => {
    for (let i = 0; i < N; i++) for (const r of regs) engine.regRead(r);
  });
  report('regRead ×31 (x0–x30)', `${((ms * 1e3) / N).toFixed(2)} µs`);
  [, ms] = time(() => {
    for (let i = 0; i < N; i++) engine.regReadBatch(regs);
  });
  report('regReadBatch of x0–x30', `${((ms * 1e3) / N).toFixed(2)} µs`);
  [, ms] = time(() => {
    for (let i = 0; i < N; i++) engine.regWrite(xReg(0), BigInt(i));
  });
  report('regWrite', `${((ms * 1e3) / N).toFixed(2)} µs`);
  [, ms] = time(() => {
    for (let i = 0; i < N; i++) engine.start(CODE, CODE + 4n);
  });
  report('start() of a one-instruction run', `${((ms * 1e3) / N).toFixed(2)} µs`);
  [, ms] = time(() => {
    for (let i = 0; i < N; i++) engine.start(CODE, CODE + 4n, { timeoutMicros: 1_000_000 });
  });
  report('start() of a one-instruction run with a timeout (timer thread)', `${((ms * 1e3) / N).toFixed(2)} µs`);
  engine.close();
}

// --- a JS code hook on every instruction
{
  const engine = engineWith(LOOP);
  let n = 0;
  engine.onCode(CODE, CODE + 12n, () => n++);
  engine.regWrite(xReg(5), 100_000n);
  engine.regWrite(Arm64Reg.LR, SENTINEL);
  const [, ms] = time(() => engine.start(CODE, SENTINEL));
  report('code hook calling into JS', `${((ms * 1e3) / n).toFixed(3)} µs/instruction`);
  engine.close();
}
