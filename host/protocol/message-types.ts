// The message-type table of docs/protocol.md section 4: one row per message, code ↔ name.
export const MESSAGE_TYPES = {
  HELLO: 0x01,
  AUTH: 0x02,
  PING: 0x03,
  INFO: 0x04,
  UPLOAD_BEGIN: 0x10,
  UPLOAD_CHUNK: 0x11,
  UPLOAD_END: 0x12,
  UPLOAD_STATUS: 0x13,
  DEPLOY: 0x20,
  ACTIVATE: 0x21,
  INFER: 0x30,
  MMIO_READ: 0x40,
  MMIO_WRITE: 0x41,
  BUFFER_READ: 0x42,
  BUFFER_WRITE: 0x43,
  CANCEL: 0x50,
  ERROR: 0x7f,
} as const;

export type MessageType = keyof typeof MESSAGE_TYPES;

const BY_CODE = new Map<number, MessageType>(
  (Object.entries(MESSAGE_TYPES) as [MessageType, number][]).map(([name, code]) => [code, name]),
);

export function messageTypeName(code: number): MessageType | undefined {
  return BY_CODE.get(code);
}

export const PROTOCOL_VERSION = 1;
export const FLAG_RESPONSE = 0x0001;
export const HEADER_BYTES = 12;
export const CRC_BYTES = 4;
export const MIN_FRAME_BYTES = HEADER_BYTES + CRC_BYTES;
export const DEFAULT_MAX_FRAME = 1_048_576;
