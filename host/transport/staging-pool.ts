// Reused send buffers for bulk frames. A socket write makes the kernel read the bytes from user
// memory; on this project's VMs the kernel's first touch of each user page costs microseconds,
// so sending a 256 MiB object straight from its own buffer cost ~0.4 s of kernel time, while
// copying each frame into one of a few reused buffers first costs ~0.03 s. A buffer goes back
// to the pool when its write has reached the kernel (the write callback).
export class StagingPool {
  private readonly free: Buffer[] = [];
  constructor(readonly bufferBytes: number, private readonly keep = 16) {}

  /** A buffer of bufferBytes bytes (reused when one is free). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  give(b: Buffer): void {
    if (this.free.length < this.keep && b.length === this.bufferBytes) this.free.push(b);
  }
}
