// Image preprocessing shared by calibration and `cnna accuracy`: x = (pixel · S − M) / D
// with S = 1/255, M = 0, D = 1 by default, producing NCHW float32 batches.
import { CnnaError } from '../errors/cnna-error.ts';
import type { Tensor } from '../ir/graph.ts';

export interface Preprocess {
  scale: number;
  mean: number;
  std: number;
}

export const DEFAULT_PREPROCESS: Preprocess = { scale: 1 / 255, mean: 0, std: 1 };

/** A set of labelled 8-bit images, N × C × H × W in NCHW order. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  rows: number;
  cols: number;
}

/**
 * Images [start, start + count) as one float32 NCHW batch [count, C, H, W].
 * The arithmetic is done in float64 and rounded once to float32.
 */
export function toBatch(set: ImageSet, start: number, count: number, pp: Preprocess = DEFAULT_PREPROCESS): Tensor {
  if (!(pp.std !== 0 && Number.isFinite(pp.std) && Number.isFinite(pp.scale) && Number.isFinite(pp.mean))) {
    throw new CnnaError('E_USAGE', `preprocessing needs finite scale, mean and a non-zero std (got S=${pp.scale}, M=${pp.mean}, D=${pp.std})`);
  }
  const n = Math.max(0, Math.min(count, set.count - start));
  const per = set.channels * set.rows * set.cols;
  const out = new Float32Array(n * per);
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = (p * pp.scale - pp.mean) / pp.std;
  const src = set.images.subarray(start * per, (start + n) * per);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
  return { dims: [n, set.channels, set.rows, set.cols], data: out };
}

/** Validate an images IDX ([N, H, W] or [N, C, H, W], u8) and a labels IDX ([N], u8) into an ImageSet. */
export function imageSetFromIdx(
  images: { type: string; dims: number[]; data: ArrayLike<number> },
  labels: { type: string; dims: number[]; data: ArrayLike<number> },
  names: { images: string; labels: string } = { images: 'images', labels: 'labels' },
): ImageSet {
  if (images.type !== 'u8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new CnnaError('E_FORMAT', `${names.images}: expected unsigned-byte images of shape [N, H, W] or [N, C, H, W], got ${images.type} [${images.dims.join(', ')}]`);
  }
  if (labels.type !== 'u8' || labels.dims.length !== 1) {
    throw new CnnaError('E_FORMAT', `${names.labels}: expected unsigned-byte labels of shape [N], got ${labels.type} [${labels.dims.join(', ')}]`);
  }
  const [count] = images.dims;
  if (labels.dims[0] !== count) {
    throw new CnnaError('E_FORMAT', `${names.images} holds ${count} images but ${names.labels} holds ${labels.dims[0]} labels`);
  }
  const d = images.dims;
  const [channels, rows, cols] = d.length === 3 ? [1, d[1], d[2]] : [d[1], d[2], d[3]];
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count, channels, rows, cols };
}
