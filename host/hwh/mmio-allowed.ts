// The MMIO security rule: a host or agent may touch only addresses inside the register ranges
// (MEMTYPE "REGISTER") that the loaded overlay's .hwh maps for some IP. DDR ("MEMORY") ranges
// are excluded: buffers are reached through allocated buffers, never through raw MMIO.
// Invariant: an access is allowed only when [addr, addr + length) lies inside ONE range.

import type { Hwh, HwhMemRange } from './hwh-types.ts';

/** The register range that holds all of [addr, addr + length), or undefined. */
export function mmioRangeFor(hwh: Hwh, addr: number, length: number): HwhMemRange | undefined {
  if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length) || addr < 0 || length <= 0) return undefined;
  const last = addr + length - 1;
  return hwh.memRanges.find((r) => r.memType.toUpperCase() === 'REGISTER' && addr >= r.base && last <= r.high);
}

/** True when [addr, addr + length) lies inside one register range of a loaded IP. */
export function isMmioAllowed(hwh: Hwh, addr: number, length: number): boolean {
  return mmioRangeFor(hwh, addr, length) !== undefined;
}
