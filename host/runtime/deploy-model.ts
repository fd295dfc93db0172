// Deploys a model: uploads the bitstream, the .hwh and the bundle (each skipped when the
// board has it cached), then DEPLOY (validate and stage) and ACTIVATE (switch atomically).
import type { TensorSpec } from '../virtual-board/engine-backend.ts';
import type { BoardClient } from './board-client.ts';
import { uploadObject, type ObjectKind, type UploadResult } from './upload-object.ts';

export interface DeployResult {
  deployId: string;
  uploads: Record<ObjectKind, UploadResult>;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  clockHz: number;
  /** Images one start runs (a bundle compiled with --batch N; 1 otherwise): INFER takes exactly this many. */
  batch: number;
}

export async function deployModel(
  client: BoardClient,
  files: { bitstream: Uint8Array; hwh: Uint8Array; bundle: Uint8Array },
  o: { onProgress?: (kind: ObjectKind, done: number, total: number) => void } = {},
): Promise<DeployResult> {
  const uploads = {} as Record<ObjectKind, UploadResult>;
  for (const kind of ['bitstream', 'hwh', 'bundle'] as const) {
    uploads[kind] = await uploadObject(client, kind, files[kind], { onProgress: (d, t) => o.onProgress?.(kind, d, t) });
  }
  const dep = await client.request('DEPLOY', { bitstream: uploads.bitstream.sha256, hwh: uploads.hwh.sha256, bundle: uploads.bundle.sha256 });
  const deployId = String(dep.body.deployId);
  await client.request('ACTIVATE', { deployId });
  return {
    deployId, uploads,
    inputs: dep.body.inputs as TensorSpec[], outputs: dep.body.outputs as TensorSpec[], clockHz: Number(dep.body.clockHz),
    batch: typeof dep.body.batch === 'number' ? dep.body.batch : 1,
  };
}
