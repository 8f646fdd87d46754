#!/usr/bin/env node
// `npm run demo`: the main job of orc-ts as far as it is built. Runs from the packages' built output (tools/setup
// builds them first).
//
// Part 1 drives @orc-ts/core: a session with two JITDylibs, a lazily materialized custom unit whose symbols depend
// on each other across JITDylibs, a reexport, and removable code through a resource tracker, printing what happens.
// Part 2 JIT-links a bundled two-object AArch64 program with orc-jitlink (-noexec: running it arrives with the
// Unicorn executor) and checks the linked code with jitlink-check rules.
import { main as orcJitlink } from '@orc-ts/orc-jitlink';
import {
  absoluteSymbols,
  ExecutionSession,
  JITSymbolFlags,
  MaterializationUnit,
  reexports,
  SymbolState,
} from '@orc-ts/core';

const X = JITSymbolFlags.Exported | JITSymbolFlags.Callable;
const hex = (a) => `0x${a.toString(16)}`;

class TableUnit extends MaterializationUnit {
  constructor(name, table, deps) {
    super({ symbolFlags: new Map([...table.keys()].map((n) => [n, X])) });
    this.name = name;
    this.table = table;
    this.deps = deps;
  }
  getName() {
    return this.name;
  }
  async materialize(mr) {
    console.log(`  [${this.name}] materializing ${[...mr.getSymbols().keys()].join(', ')}`);
    await new Promise((r) => setTimeout(r, 5)); // pretend to compile
    // Like a linker, resolve the external references first (this materializes them); readiness then follows
    // the dependencies reported with notifyEmitted.
    for (const [jd, names] of this.deps) {
      const resolved = await mr.getExecutionSession().lookup(jd, names, { requiredState: SymbolState.Resolved });
      for (const [n, d] of resolved) console.log(`  [${this.name}] external ${n} -> ${hex(d.address)}`);
    }
    mr.notifyResolved(new Map([...this.table].map(([n, a]) => [n, { address: a, flags: X }])));
    mr.notifyEmitted([{ symbols: this.table.keys(), dependencies: this.deps }]);
  }
  discard() {}
}

const es = new ExecutionSession();
const libc = es.createJITDylib('libc');
const main = es.createJITDylib('main');
main.addToLinkOrder(libc);

libc.define(absoluteSymbols(new Map([['puts', { address: 0x7f0010n, flags: X }]])));
const tracker = main.createResourceTracker();
main.define(new TableUnit('program.o', new Map([['main', 0x10000n], ['helper', 0x10040n]]), new Map([[libc, ['puts']]])), tracker);
main.define(reexports(libc, new Map([['print', { aliasee: 'puts', aliasFlags: X }]])));

console.log('lookup main, print in [main, libc]:');
const syms = await es.lookup([main, libc], ['main', 'print']);
for (const [n, d] of syms) console.log(`  ${n.padEnd(6)} = ${hex(d.address)}`);
console.log(`  helper state: ${SymbolState[main.getSymbolInfo('helper').state]} (materialized with main, never asked for)`);

console.log('removing program.o through its resource tracker:');
await tracker.remove();
console.log(`  main defined afterwards? ${main.getSymbolInfo('main') !== undefined}`);
await es.lookup(main, 'main').catch((e) => console.log(`  lookup main -> ${e.name}: ${e.message}`));
await es.endSession();
console.log('session ended.');

const demoDir = new URL('./demo/', import.meta.url).pathname;
const argv = ['-noexec', '-abs', 'puts=0x7f0010', '-show-linked-files', '-show-addrs', '-check', `${demoDir}program.s`, `${demoDir}program.s`, `${demoDir}lib.s`];
console.log(`\norc-jitlink ${argv.map((a) => a.replace(demoDir, 'tools/demo/')).join(' ')}`);
const status = await orcJitlink(argv);
console.log(status === 0 ? 'linked; every jitlink-check rule passed.' : `orc-jitlink exited with ${status}`);
process.exitCode = status;
