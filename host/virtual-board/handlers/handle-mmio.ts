// MMIO_READ / MMIO_WRITE (docs/protocol.md 4.5) on emulated registers, confined to the register
// ranges of the active overlay's .hwh (host/hwh's isMmioAllowed rule).
import { mmioRangeFor } from '../../hwh/mmio-allowed.ts';
import { ProtocolError } from '../../protocol/protocol-error.ts';
import { fieldArray, fieldInt } from '../body-fields.ts';
import type { AgentCore } from '../agent-core.ts';
import type { Handler } from './handler.ts';

function check(core: AgentCore, msg: string, address: number, count: number): void {
  const d = core.active;
  if (!d) throw new ProtocolError('NOT_DEPLOYED', `${msg}: no overlay is active; deploy one first`);
  if (address % 4 !== 0) throw new ProtocolError('MMIO_DENIED', `${msg}: address 0x${address.toString(16)} is not 32-bit aligned`);
  if (!mmioRangeFor(d.parsedHwh, address, 4 * count)) {
    throw new ProtocolError('MMIO_DENIED', `${msg}: [0x${address.toString(16)}, +${4 * count}) is not inside one register range of the overlay's .hwh`);
  }
}

export const handleMmioRead: Handler = (body, _blob, { core }) => {
  const address = fieldInt(body, 'MMIO_READ', 'address', 0, 2 ** 48);
  const count = fieldInt(body, 'MMIO_READ', 'count', 1, 1024);
  check(core, 'MMIO_READ', address, count);
  const values = Array.from({ length: count }, (_, i) => core.registers.get(address + 4 * i) ?? 0);
  return { body: { address, values } };
};

export const handleMmioWrite: Handler = (body, _blob, { core }) => {
  const address = fieldInt(body, 'MMIO_WRITE', 'address', 0, 2 ** 48);
  const values = fieldArray(body, 'MMIO_WRITE', 'values', 1024);
  if (values.length === 0 || !values.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff)) {
    throw new ProtocolError('BAD_REQUEST', "MMIO_WRITE: field 'values' must be 1..1024 integers in [0, 2^32-1]");
  }
  check(core, 'MMIO_WRITE', address, values.length);
  values.forEach((v, i) => core.registers.set(address + 4 * i, v as number));
  return { body: { address, count: values.length } };
};
