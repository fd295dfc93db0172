// INFO: identity, limits, clock, buffers and cache contents (docs/protocol.md 4.1).
import type { Handler } from './handler.ts';

export const handleInfo: Handler = (_body, _blob, { core, limits }) => {
  const objects = core.cache.list();
  return {
    body: {
      ...core.identity(),
      limits: { ...limits },
      clockHz: core.active ? core.active.program.clockHz : null,
      uptimeMs: Date.now() - core.startedAt,
      buffers: [...core.buffers].map(([name, b]) => ({ name, size: b.length })),
      cache: { objects, bytes: objects.reduce((t, o) => t + o.size, 0) },
      ...(core.active ? {
        io: { inputs: core.active.program.inputs, outputs: core.active.program.outputs, ...((core.active.program.batch ?? 1) > 1 ? { batch: core.active.program.batch } : {}) },
        registerRanges: core.active.parsedHwh.memRanges.filter((r) => r.memType.toUpperCase() === 'REGISTER')
          .map((r) => ({ instance: r.slave, base: r.base, high: r.high })),
      } : {}),
    },
  };
};
