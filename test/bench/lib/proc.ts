/**
 * Child processes of the bench: workers (TypeScript run through tsx, talking over IPC) and sampling of
 * any process's resident memory and CPU time from /proc.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
export const BENCH_DIR = join(HERE, '..')
export const REPO_ROOT = join(BENCH_DIR, '..', '..')

const PAGE = 4096
const TICKS = 100 // USER_HZ on Linux

/** Resident set size of `pid` in MB (from /proc/<pid>/statm). */
export function rssMB(pid: number): number {
  const [, resident] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')
  return (Number(resident) * PAGE) / 1024 / 1024
}

/** CPU seconds (user + system) used by `pid` so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted after the comm)
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

export interface WorkerMessage {
  type: string
  [key: string]: unknown
}

export interface Worker {
  child: ChildProcess
  /** Resolves with the next message of this type. */
  next<T = WorkerMessage>(type: string, timeoutMs?: number): Promise<T>
  send(message: WorkerMessage): void
  /** Asks the worker to stop and waits for it (killed after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

/** Starts `workers/<name>.ts` in its own Node process with `options` as its first message. */
export function startWorker(name: string, options: Record<string, unknown>, execArgv: string[] = []): Worker {
  const child = fork(join(BENCH_DIR, 'workers', `${name}.ts`), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const queue: WorkerMessage[] = []
  const waiters: { type: string; resolve: (m: WorkerMessage) => void; reject: (e: Error) => void }[] = []
  let exited: Error | undefined
  child.on('message', (m: WorkerMessage) => {
    if (m.type === 'error') {
      exited = new Error(`worker ${name}: ${String(m.message)}`)
      for (const w of waiters.splice(0)) w.reject(exited)
      return
    }
    const i = waiters.findIndex((w) => w.type === m.type)
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m)
    else queue.push(m)
  })
  child.on('exit', (code) => {
    exited ??= new Error(`worker ${name} exited with code ${code}`)
    for (const w of waiters.splice(0)) w.reject(exited)
  })
  child.send({ type: 'start', ...options })
  return {
    child,
    next<T = WorkerMessage>(type: string, timeoutMs = 120_000): Promise<T> {
      const i = queue.findIndex((m) => m.type === type)
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0] as T)
      if (exited) return Promise.reject(exited)
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const j = waiters.findIndex((w) => w.resolve === done)
          if (j >= 0) waiters.splice(j, 1)
          reject(new Error(`worker ${name}: no "${type}" within ${timeoutMs} ms`))
        }, timeoutMs)
        const done = (m: WorkerMessage) => {
          clearTimeout(timer)
          resolve(m as T)
        }
        waiters.push({
          type,
          resolve: done,
          reject: (e) => {
            clearTimeout(timer)
            reject(e)
          },
        })
      })
    },
    send(message) {
      if (child.connected) child.send(message)
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      if (child.connected) child.send({ type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await gone
      clearTimeout(timer)
    },
  }
}

/** Worker side: receives the start options, reports errors to the parent instead of dying silently. */
export function workerMain<T>(
  run: (options: T, onStop: (fn: () => Promise<void> | void) => void) => Promise<void>,
) {
  const stops: (() => Promise<void> | void)[] = []
  process.on('message', (m: WorkerMessage) => {
    if (m.type === 'start') {
      run(m as unknown as T, (fn) => stops.push(fn)).catch((err: unknown) => {
        process.send?.({ type: 'error', message: err instanceof Error ? err.stack : String(err) })
        setTimeout(() => process.exit(1), 100)
      })
    } else if (m.type === 'stop') {
      Promise.all(stops.map((fn) => fn()))
        .catch(() => {})
        .finally(() => process.exit(0))
    }
  })
  process.on('disconnect', () => process.exit(0))
}

export function report(message: WorkerMessage): void {
  process.send?.(message)
}
