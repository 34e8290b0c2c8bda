/**
 * The real tools as oracles: `dpkg --compare-versions` and rpm's `rpm.vercmp`, batched so thousands
 * of comparisons cost a few seconds (dpkg has no batch mode: one `sh` per chunk runs it per pair,
 * chunks in parallel; rpm runs one Lua script for all pairs).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type OracleAnswer = -1 | 0 | 1 | 'error'

export const hasCommand = (command: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0

function run(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err}`)),
    )
    child.stdin.end(input)
  })
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`

function parseAnswers(text: string, expected: number): OracleAnswer[] {
  const answers = text
    .trim()
    .split(/\s+/)
    .map((t): OracleAnswer => (t === 'E' ? 'error' : (Math.sign(Number(t)) as -1 | 0 | 1)))
  if (answers.length !== expected)
    throw new Error(`oracle gave ${answers.length} answers for ${expected} pairs`)
  return answers
}

const DPKG_FN = `c() {
  dpkg --compare-versions "$1" lt "$2" 2>/dev/null; r=$?
  if [ $r -eq 0 ]; then echo -1
  elif [ $r -eq 1 ]; then if dpkg --compare-versions "$1" eq "$2" 2>/dev/null; then echo 0; else echo 1; fi
  else echo E; fi
}
`

export async function dpkgCompareMany(pairs: [string, string][], chunks = 4): Promise<OracleAnswer[]> {
  const size = Math.ceil(pairs.length / chunks)
  const parts: Promise<OracleAnswer[]>[] = []
  for (let i = 0; i < pairs.length; i += size) {
    const chunk = pairs.slice(i, i + size)
    const script = DPKG_FN + chunk.map(([a, b]) => `c ${quote(a)} ${quote(b)}`).join('\n')
    parts.push(run('sh', ['-s'], script).then((out) => parseAnswers(out, chunk.length)))
  }
  return (await Promise.all(parts)).flat()
}

const luaString = (s: string): string => `[==[${s}]==]`

export async function rpmCompareMany(pairs: [string, string][]): Promise<OracleAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rpm-'))
  try {
    const file = join(dir, 'pairs.lua')
    const table = pairs.map(([a, b]) => `{${luaString(a)},${luaString(b)}}`).join(',\n')
    writeFileSync(
      file,
      `local t = {${table}}\nlocal out = {}\nfor _, p in ipairs(t) do\n` +
        `  local ok, r = pcall(rpm.vercmp, p[1], p[2])\n  out[#out + 1] = ok and tostring(r) or 'E'\nend\n` +
        `print(table.concat(out, ' '))\n`,
    )
    const out = await run('rpm', ['--eval', `%{lua: dofile(${luaString(file)})}`], '')
    return parseAnswers(out, pairs.length)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
