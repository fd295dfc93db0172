// A byte-stream link to a board: TCP (node:net) or serial (serialport). The runtime frames
// bytes itself (host/protocol/stream-decoder.ts); a transport only moves bytes.
export type TransportSpec =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string; baudRate: number };

export interface Transport {
  readonly framing: 'serial' | 'tcp';
  readonly description: string;
  write(bytes: Uint8Array): void;
  /** Writes several buffers as one contiguous piece of the stream (no copy where possible). */
  writev(parts: Uint8Array[]): void;
  /** `chunk` may be a view of a reused buffer: valid only during the call (copy what must stay). */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Called once when the link goes down (not after close()). */
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
}

export function describeTransport(spec: TransportSpec): string {
  return spec.kind === 'tcp' ? `tcp ${spec.host}:${spec.port}` : `serial ${spec.path} at ${spec.baudRate} baud`;
}
