/**
 * Server-side coalescing of fleet changes: at most one entry per device per window, so 10,000 chatty
 * devices do not flood a browser. Time is injected through the timer functions (fake timers in tests).
 */
import type { DeviceSummary } from '@vigil/protocol'

export interface Delta {
  devices: DeviceSummary[]
  removed: string[]
}

/**
 * Keeps the latest item per id and projects it to a row only when the window closes, so a device that
 * changes 100 times in a window costs one projection.
 */
export class Coalescer<T extends { id: string }> {
  private readonly changed = new Map<string, T>()
  private readonly removed = new Set<string>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly windowMs: number,
    private readonly emit: (delta: Delta) => void,
    private readonly project: (item: T) => DeviceSummary,
    /** Whether anyone receives the deltas; when not, a window's changes are dropped unprojected. */
    private readonly listening: () => boolean = () => true,
  ) {}

  change(item: T): void {
    this.removed.delete(item.id)
    this.changed.set(item.id, item)
    this.schedule()
  }

  remove(id: string): void {
    this.changed.delete(id)
    this.removed.add(id)
    this.schedule()
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => this.flush(), this.windowMs)
    this.timer.unref?.()
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.changed.size === 0 && this.removed.size === 0) return
    if (!this.listening()) {
      // A dashboard that connects later starts from a fresh snapshot: nothing pending is owed to it.
      this.changed.clear()
      this.removed.clear()
      return
    }
    const delta = { devices: [...this.changed.values()].map(this.project), removed: [...this.removed] }
    this.changed.clear()
    this.removed.clear()
    this.emit(delta)
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}
