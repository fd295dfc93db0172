// Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, or
// $CNNA_FASHION_MNIST): 60,000 train and 10,000 test 28×28 grey images with labels 0-9.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CnnaError } from '../errors/cnna-error.ts';
import { readIdx } from './idx.ts';
import { imageSetFromIdx, type ImageSet } from './preprocess.ts';

export const FASHION_MNIST_DIR = process.env.CNNA_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export type Split = 'train' | 'test';

const FILES: Record<Split, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

function locate(dir: string, base: string): string | undefined {
  for (const p of [join(dir, `${base}.gz`), join(dir, base)]) if (existsSync(p)) return p;
  return undefined;
}

export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return (['train', 'test'] as Split[]).every((s) => FILES[s].every((b) => locate(dir, b) !== undefined));
}

const cache = new Map<string, ImageSet>();

/** Load one split (cached per process). `limit` keeps the first N images. */
export function loadFashionMnist(split: Split, opts: { dir?: string; limit?: number } = {}): ImageSet {
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  const key = `${dir}|${split}`;
  let set = cache.get(key);
  if (!set) {
    const [imgBase, lblBase] = FILES[split];
    const imgPath = locate(dir, imgBase);
    const lblPath = locate(dir, lblBase);
    if (!imgPath || !lblPath) {
      throw new CnnaError('E_IO', `Fashion-MNIST ${split} files (${imgBase}[.gz], ${lblBase}[.gz]) not found in ${dir}`, {
        hint: 'install it with `apt-get install dataset-fashion-mnist` or set CNNA_FASHION_MNIST to its folder',
      });
    }
    set = imageSetFromIdx(readIdx(imgPath), readIdx(lblPath), { images: imgPath, labels: lblPath });
    cache.set(key, set);
  }
  if (opts.limit === undefined || opts.limit >= set.count) return set;
  const n = Math.max(0, opts.limit);
  const per = set.channels * set.rows * set.cols;
  return { ...set, count: n, images: set.images.subarray(0, n * per), labels: set.labels.subarray(0, n) };
}
