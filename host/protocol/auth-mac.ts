// The pairing-token MACs of docs/protocol.md 3.1: the host proves it knows the token with
// HMAC-SHA256(token, "cnna-auth-v1" ‖ nonce ‖ clientNonce); the agent answers with
// HMAC-SHA256(token, "cnna-auth-v1-agent" ‖ clientNonce ‖ nonce). Nonces enter as raw bytes.
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX16 = /^[0-9a-f]{32}$/;
const HEX32 = /^[0-9a-f]{64}$/;

export function isNonceHex(s: unknown): s is string { return typeof s === 'string' && HEX16.test(s); }
export function isMacHex(s: unknown): s is string { return typeof s === 'string' && HEX32.test(s); }

export function hostMac(token: string, nonce: string, clientNonce: string): string {
  return createHmac('sha256', Buffer.from(token, 'utf8'))
    .update('cnna-auth-v1').update(Buffer.from(nonce, 'hex')).update(Buffer.from(clientNonce, 'hex')).digest('hex');
}

export function agentMac(token: string, nonce: string, clientNonce: string): string {
  return createHmac('sha256', Buffer.from(token, 'utf8'))
    .update('cnna-auth-v1-agent').update(Buffer.from(clientNonce, 'hex')).update(Buffer.from(nonce, 'hex')).digest('hex');
}

export function macEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
