// BUFFER_READ / BUFFER_WRITE (docs/protocol.md 4.5) on the active deployment's named DMA
// buffers ('input', 'output'); names are looked up in a table, never used as paths.
import { ProtocolError } from '../../protocol/protocol-error.ts';
import { fieldInt, fieldString } from '../body-fields.ts';
import type { AgentCore } from '../agent-core.ts';
import type { Handler } from './handler.ts';

function buffer(core: AgentCore, msg: string, name: string): Uint8Array {
  if (!core.active) throw new ProtocolError('NOT_DEPLOYED', `${msg}: no deployment is active; deploy one first`);
  const b = core.buffers.get(name);
  if (!b) throw new ProtocolError('UNKNOWN_BUFFER', `${msg}: no buffer named '${name.slice(0, 64)}' (have: ${[...core.buffers.keys()].join(', ')})`);
  return b;
}

export const handleBufferRead: Handler = (body, _blob, { core, limits }) => {
  const name = fieldString(body, 'BUFFER_READ', 'name', 64);
  const offset = fieldInt(body, 'BUFFER_READ', 'offset', 0, Number.MAX_SAFE_INTEGER);
  const length = fieldInt(body, 'BUFFER_READ', 'length', 1, limits.maxFrame - 1024);
  const b = buffer(core, 'BUFFER_READ', name);
  if (offset + length > b.length) throw new ProtocolError('BAD_RANGE', `BUFFER_READ: [${offset}, ${offset + length}) is outside buffer '${name}' of ${b.length} bytes`);
  return { body: { name, offset, length }, blob: b.slice(offset, offset + length) };
};

export const handleBufferWrite: Handler = (body, blob, { core }) => {
  const name = fieldString(body, 'BUFFER_WRITE', 'name', 64);
  const offset = fieldInt(body, 'BUFFER_WRITE', 'offset', 0, Number.MAX_SAFE_INTEGER);
  const b = buffer(core, 'BUFFER_WRITE', name);
  if (blob.length === 0 || offset + blob.length > b.length) {
    throw new ProtocolError('BAD_RANGE', `BUFFER_WRITE: ${blob.length} bytes at ${offset} do not fit buffer '${name}' of ${b.length} bytes`);
  }
  b.set(blob, offset);
  return { body: { name, offset, length: blob.length } };
};
