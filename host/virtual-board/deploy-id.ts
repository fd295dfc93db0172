// deployId = the first 32 hex chars of SHA-256("<bitstream>:<hwh>:<bundle>") (docs/protocol.md 4.3).
import { createHash } from 'node:crypto';

export function deployIdOf(bitstream: string, hwh: string, bundle: string): string {
  return createHash('sha256').update(`${bitstream}:${hwh}:${bundle}`).digest('hex').slice(0, 32);
}
