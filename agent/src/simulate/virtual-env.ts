/** A hardening CheckEnv over an in-memory file tree: a virtual gateway's /etc and /proc. */
import type { CheckEnv } from '../hardening/env.js'

export interface VirtualFile {
  content: string
  mode?: number
  uid?: number
  gid?: number
}

const enoent = (p: string) =>
  Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: 'ENOENT' })

export function virtualCheckEnv(files: Record<string, VirtualFile>): CheckEnv {
  const get = (p: string) => {
    const f = files[p]
    if (!f) throw enoent(p)
    return f
  }
  return {
    root: 'virtual:',
    readText: async (p) => get(p).content,
    readBytes: async (p) => Buffer.from(get(p).content),
    stat: async (p) => {
      const f = get(p)
      return { mode: f.mode ?? 0o644, uid: f.uid ?? 0, gid: f.gid ?? 0, isFile: true }
    },
    readdir: async (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`
      const names = new Set(
        Object.keys(files)
          .filter((k) => k.startsWith(prefix))
          .map((k) => k.slice(prefix.length).split('/')[0] as string),
      )
      if (names.size === 0) throw enoent(dir)
      return [...names]
    },
    systemdState: async () => undefined,
  }
}

const sysctl = (key: string, value: string): [string, VirtualFile] => [
  `/proc/sys/${key.replace(/\./g, '/')}`,
  { content: `${value}\n` },
]

/** A gateway's files; `weak` flips a few settings the default baseline checks. */
export function gatewayFiles(weak: {
  rootLogin: boolean
  telnet: boolean
  forwarding: boolean
}): Record<string, VirtualFile> {
  const tcp = [22, 1883, ...(weak.telnet ? [23] : [])]
    .map(
      (p, i) =>
        `   ${i}: 00000000:${p.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${i + 100}`,
    )
    .join('\n')
  return Object.fromEntries([
    [
      '/etc/passwd',
      {
        content:
          'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\ngw:x:1000:1000::/home/gw:/bin/bash\n',
      },
    ],
    ['/etc/group', { content: 'root:x:0:\nshadow:x:42:\n' }],
    [
      '/etc/shadow',
      { content: 'root:$y$j9T$x:19000:0:99999:7:::\ngw:$y$j9T$y:19000:0:99999:7:::\n', mode: 0o640, gid: 42 },
    ],
    [
      '/etc/ssh/sshd_config',
      {
        content: `PermitRootLogin ${weak.rootLogin ? 'yes' : 'no'}\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 4\n`,
        mode: 0o600,
      },
    ],
    ['/etc/login.defs', { content: 'PASS_MAX_DAYS 365\n' }],
    ...(weak.telnet ? [['/usr/sbin/in.telnetd', { content: 'ELF' }] as [string, VirtualFile]] : []),
    ['/proc/net/tcp', { content: `  sl  local_address rem_address   st\n${tcp}\n` }],
    ['/proc/net/udp', { content: '  sl  local_address rem_address   st\n' }],
    ['/proc/1/comm', { content: 'systemd\n' }],
    ['/proc/200/comm', { content: 'sshd\n' }],
    sysctl('net.ipv4.ip_forward', weak.forwarding ? '1' : '0'),
    sysctl('net.ipv4.tcp_syncookies', '1'),
    sysctl('net.ipv4.conf.all.accept_redirects', '0'),
    sysctl('net.ipv4.conf.all.send_redirects', '0'),
    sysctl('kernel.randomize_va_space', '2'),
    sysctl('fs.suid_dumpable', '0'),
  ])
}
