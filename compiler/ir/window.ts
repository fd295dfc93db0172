// Output-size arithmetic of 2-D windows (conv and pooling), shared by shape inference, the
// importer's auto_pad resolution and the executors so that they can never disagree.

/** Effective extent of a dilated kernel. */
export function dilatedKernel(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/**
 * Output length along one axis. With ceilMode the last window may start past the input, but
 * (as in PyTorch and onnxruntime) never inside the end padding only: such a window is dropped.
 */
export function windowOutSize(inSize: number, k: number, s: number, padBegin: number, padEnd: number, d: number, ceilMode = false): number {
  const span = inSize + padBegin + padEnd - dilatedKernel(k, d);
  if (!ceilMode) return span < 0 ? 0 : Math.floor(span / s) + 1;
  // In ceil mode a window longer than the padded input still yields one output when
  // span > -s (onnxruntime's rule); its taps past the input are ignored.
  let out = Math.max(0, Math.ceil(span / s) + 1);
  if ((out - 1) * s >= inSize + padBegin) out--;
  return out;
}

/** Pads [begin, end] that auto_pad SAME_UPPER / SAME_LOWER produce along one axis. */
export function samePads(inSize: number, k: number, s: number, d: number, upper: boolean): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max(0, (out - 1) * s + dilatedKernel(k, d) - inSize);
  const small = Math.floor(total / 2);
  return upper ? [small, total - small] : [total - small, small];
}
