// The shape of a message handler: a request body and blob in, a response body and blob out;
// failures are thrown as ProtocolError.
import type { Body } from '../../protocol/frame-codec.ts';
import type { AgentCore, AgentLimits } from '../agent-core.ts';

export interface HandlerContext {
  core: AgentCore;
  limits: AgentLimits;
  signal: AbortSignal;
}

export interface Reply { body: Body; blob?: Uint8Array }

export type Handler = (body: Body, blob: Uint8Array, ctx: HandlerContext) => Reply | Promise<Reply>;
