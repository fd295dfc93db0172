// The labelled images a model command reads (accuracy, simulate, train): `--dataset fashion-mnist`
// (the Debian package's files, compiler/data/fashion-mnist.ts) or `--images IDX --labels IDX` (MNIST-
// format files, gzipped or not). One reader of the flags, so every command refuses the same mistakes
// with the same words, each message starting with the command's own name; what a command needs when
// the images are missing is its own message (train's; accuracy and simulate share `loadImages`).
import { loadFashionMnist, type Split } from '../compiler/data/fashion-mnist.ts';
import { readIdx } from '../compiler/data/idx.ts';
import { imageSetFromIdx, type ImageSet } from '../compiler/data/preprocess.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';

export const DATASETS = ['fashion-mnist'];

export const IMAGE_OPTIONS = {
  dataset: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
} as const;

/** Where the images come from: a named dataset, IDX files, or `missing` (which of --images and --labels were not given). */
export type ImageSource = { dataset: string } | { images: string; labels: string } | { missing: { images: boolean; labels: boolean } };

/** Reads --dataset / --images / --labels; refuses both kinds at once and an unknown dataset (E_USAGE, `command:` first). */
export function imageSource(values: Record<string, unknown>, command: string): ImageSource {
  const dataset = values.dataset as string | undefined;
  const images = values.images as string | undefined;
  const labels = values.labels as string | undefined;
  if (dataset !== undefined && (images !== undefined || labels !== undefined)) {
    throw new CnnaError('E_USAGE', `${command}: pass either --dataset or --images and --labels, not both`);
  }
  if (dataset !== undefined) {
    if (!DATASETS.includes(dataset)) throw new CnnaError('E_USAGE', `${command}: unknown dataset '${dataset}'`, { hint: `supported: ${DATASETS.join(', ')}; or pass --images IDX --labels IDX` });
    return { dataset };
  }
  if (images === undefined || labels === undefined) return { missing: { images: images === undefined, labels: labels === undefined } };
  return { images, labels };
}

/** The images of a source: a split of the named dataset, or the IDX files (its name says which). */
export function readImages(src: { dataset: string } | { images: string; labels: string }, split: Split): { set: ImageSet; name: string } {
  if ('dataset' in src) return { set: loadFashionMnist(split), name: `${src.dataset} (${split} split)` };
  return { set: imageSetFromIdx(readIdx(src.images), readIdx(src.labels), { images: src.images, labels: src.labels }), name: `${src.images} + ${src.labels}` };
}

/** The test images of accuracy / simulate: refuses a missing --images or --labels (E_USAGE, `command:` first). */
export function loadImages(values: Record<string, unknown>, command: string): { set: ImageSet; name: string } {
  const src = imageSource(values, command);
  if ('missing' in src) {
    const { images, labels } = src.missing;
    throw new CnnaError('E_USAGE', `${command}: ${images && labels ? 'no images given' : images ? '--labels needs --images' : '--images needs --labels'}`, {
      hint: 'pass --dataset fashion-mnist, or --images IDX --labels IDX (gzipped or not)',
    });
  }
  return readImages(src, 'test');
}
