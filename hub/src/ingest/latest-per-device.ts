/**
 * Work that follows a device's message but is not part of storing it (correlation of a new inventory),
 * run after the message is committed and acknowledged: the acknowledgement means "stored", not
 * "correlated". Nothing is lost to a crash in between, because the register derives every device's
 * findings from the stored inventories at start.
 *
 * One pending run per device: a newer argument replaces one not yet run, so under overload the backlog
 * is bounded by the number of devices and only each device's latest state is worked on. Runs one at a
 * time and yields to the event loop between runs, so acknowledgements and I/O are never queued behind
 * a batch of them.
 */
export class LatestPerDevice<A> {
  private readonly pending = new Map<string, A>()
  private draining = false
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly run: (deviceId: string, arg: A) => Promise<void> | void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Queues `arg` for `deviceId`, replacing one of that device's not yet run. */
  add(deviceId: string, arg: A): void {
    this.pending.delete(deviceId)
    this.pending.set(deviceId, arg)
    if (!this.draining) {
      this.draining = true
      setImmediate(() => this.drain())
    }
  }

  /** Runs queued for devices, not started yet. */
  get size(): number {
    return this.pending.size
  }

  /** Settles once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async drain(): Promise<void> {
    const next = this.pending.entries().next()
    if (next.done) {
      this.draining = false
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
      return
    }
    const [deviceId, arg] = next.value
    this.pending.delete(deviceId)
    try {
      await this.run(deviceId, arg)
    } catch (err) {
      this.onError(err)
    }
    setImmediate(() => this.drain())
  }
}
