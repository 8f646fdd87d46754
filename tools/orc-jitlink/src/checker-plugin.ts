import { basename } from 'node:path';
import { CheckerRegistry, type CheckerMemoryRegion, type LinkGraph, type ObjectLinkingLayerPlugin, type Section } from '@orc-ts/object-linking-layer';

const GOT_SECTION = '$__GOT';
const STUBS_SECTION = '$__STUBS';

function regionOfSection(section: Section): CheckerMemoryRegion | null {
  const range = section.getRange();
  if (!range) return null;
  const start = range.first.address;
  const size = Number(range.last.getEnd() - start);
  const content = new Uint8Array(size);
  let zeroFill = true;
  for (const b of section.blocks) {
    if (b.content) {
      content.set(b.content, Number(b.address - start));
      zeroFill = false;
    }
  }
  return zeroFill ? { address: start, isZeroFill: true } : { address: start, content };
}

/**
 * Registers every linked graph's symbols, sections, GOT entries and stubs with a {@link CheckerRegistry} after
 * fixups (llvm-jitlink's `registerELFGraphInfo`), keyed by the graph's file name.
 */
export function createCheckerPlugin(registry: CheckerRegistry): ObjectLinkingLayerPlugin {
  const register = (graph: LinkGraph): void => {
    const file = basename(graph.name);
    registry.registerFile(file);
    for (const section of graph.sections.values()) {
      const region = regionOfSection(section);
      if (region) registry.registerSection(file, section.name, region);
      for (const sym of section.symbols) {
        const block = sym.block!;
        // A symbol without a size (no `.size` directive) gets the rest of its block, so its code can be decoded.
        const end = sym.size > 0 ? sym.offset + sym.size : block.size;
        const region: CheckerMemoryRegion = block.content
          ? { address: sym.getAddress(), content: block.content.slice(sym.offset, end), targetFlags: sym.targetFlags }
          : { address: sym.getAddress(), isZeroFill: true, targetFlags: sym.targetFlags };
        if (sym.name !== null) registry.registerSymbol(sym.name, region);
        if (section.name === GOT_SECTION && sym.size > 0) {
          const target = block.edges[0]?.target.name;
          if (target) registry.registerGotEntry(file, target, region);
        } else if (section.name === STUBS_SECTION) {
          const target = block.edges[0]?.target.block?.edges[0]?.target.name;
          if (target) registry.registerStub(file, target, region);
        }
      }
    }
    for (const sym of graph.absoluteSymbols) if (sym.name !== null) registry.registerSymbol(sym.name, { address: sym.getAddress() });
  };
  return {
    priority: 100,
    modifyPassConfig(_mr, _graph, config) {
      config.postFixupPasses.push(register);
    },
  };
}
