/**
 * Collections and reports run one at a time, in the order asked (rescans, scheduled runs, commands,
 * baselines): a failed run does not stop the next. `idle()` is what is in flight, for `stop()`.
 */
export interface Serial {
  run<T>(fn: () => Promise<T>): Promise<T>
  idle(): Promise<unknown>
}

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    run(fn) {
      const run = tail.then(fn, fn)
      tail = run.catch(() => undefined)
      return run
    },
    idle: () => tail,
  }
}
