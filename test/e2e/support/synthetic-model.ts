// A synthetic bundle with Fashion-MNIST's I/O shapes for protocol tests, and an independent
// implementation of the synthetic engine's function (host/virtual-board/backends/
// synthetic-backend.ts documents it) to check answers bit for bit.
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../../host/hwh/bitstream-header.ts';
import { syntheticBundle } from '../../../host/virtual-board/backends/synthetic-backend.ts';

export const SYN_SPEC = {
  inputs: [{ name: 'input', dtype: 'int16' as const, shape: [1, 1, 28, 28], f: 14 }],
  outputs: [{ name: 'logits', dtype: 'int16' as const, shape: [1, 10], f: 10 }],
  clockHz: 172_000_000,
  cycles: 123_456,
};

export function synBundle(extra: Partial<typeof SYN_SPEC> & { delayMs?: number } = {}): Uint8Array {
  return syntheticBundle({ ...SYN_SPEC, ...extra });
}

/** A deterministic test image (int16 values) from a seed. */
export function synImage(seed: number): Int16Array {
  const x = new Int16Array(784);
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = ((s >>> 8) % 16385) - 1024;
  }
  return x;
}

export function synExpected(x: Int16Array, n = 10): Int16Array {
  const out = new Int16Array(n);
  for (let k = 0; k < n; k++) {
    let acc = 0;
    x.forEach((v, i) => { acc += v * (((i * 31 + k * 17) % 7) - 3); });
    out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc;
  }
  return out;
}

/** A .bit file with a valid Xilinx header whose configuration data is text (the virtual board programs no FPGA). */
export const FAKE_BITSTREAM = encodeBitstreamHeader({
  design: 'cnna_test', part: 'xczu3eg-sbva484-1-e',
  data: syntheticBitstreamData(new TextEncoder().encode('cnna virtual overlay: not a real bitstream\n'.repeat(64))),
});
