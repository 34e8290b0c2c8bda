import type { Io } from '../../src/cli/args.ts'

export function captureIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    color: false,
    out: (t: string) => {
      io.stdout += `${t}\n`
    },
    err: (t: string) => {
      io.stderr += `${t}\n`
    },
  }
  return io
}
