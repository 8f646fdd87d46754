import { LinkTargetToken } from '@orc-ts/object-linking-layer';
import type { DependencyContainer } from 'tsyringe';
import { AArch64LinkTarget } from './aarch64-link-target.js';

/** Registers the AArch64 link target with the linker (a multi-registration of `LinkTargetToken`). */
export function registerAArch64Target(container: DependencyContainer): void {
  container.register(LinkTargetToken, { useValue: new AArch64LinkTarget() });
}
