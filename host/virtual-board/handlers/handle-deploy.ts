// DEPLOY (validate and stage three cached objects) and ACTIVATE (switch atomically)
// (docs/protocol.md 4.3).
import { fieldHash, fieldString } from '../body-fields.ts';
import type { Handler } from './handler.ts';

export const handleDeploy: Handler = async (body, _blob, { core }) => {
  const bitstream = fieldHash(body, 'DEPLOY', 'bitstream');
  const hwh = fieldHash(body, 'DEPLOY', 'hwh');
  const bundle = fieldHash(body, 'DEPLOY', 'bundle');
  const d = await core.stage(bitstream, hwh, bundle);
  return { body: { deployId: d.deployId, inputs: d.program.inputs, outputs: d.program.outputs, clockHz: d.program.clockHz, ...((d.program.batch ?? 1) > 1 ? { batch: d.program.batch } : {}) } };
};

export const handleActivate: Handler = (body, _blob, { core }) => {
  const deployId = fieldString(body, 'ACTIVATE', 'deployId', 64);
  const d = core.activate(deployId);
  core.log(`activated ${d.deployId}`);
  return { body: { deployId: d.deployId, overlay: d.bitstream, hwh: d.hwh, bundle: d.bundle } };
};
