// Opens the transport a TransportSpec names.
import { openSerial } from './serial-transport.ts';
import { openTcp } from './tcp-transport.ts';
import type { Transport, TransportSpec } from './transport.ts';

export function openTransport(spec: TransportSpec, timeoutMs?: number): Promise<Transport> {
  return spec.kind === 'tcp' ? openTcp(spec.host, spec.port, timeoutMs) : openSerial(spec.path, spec.baudRate);
}
