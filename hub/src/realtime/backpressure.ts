/**
 * A bounded send queue per dashboard client. socket.io queues what a client has not read yet (in
 * engine.io's write buffer, in the WebSocket and in the TCP socket's user-space buffer); a browser tab
 * that stalls (a frozen laptop, a hostile client that never reads) would grow it without bound. Each
 * client may have at most `maxBytes` waiting; past that it is disconnected (it reconnects and gets a
 * fresh snapshot, which is what a client that far behind needs anyway).
 */
import type { Socket } from 'socket.io'

interface EngineConn {
  writeBuffer?: { data?: unknown }[]
  transport?: {
    socket?: { bufferedAmount?: number; _socket?: { writableLength?: number }; terminate?: () => void }
  }
  on(event: 'packetCreate', listener: () => void): void
}

/**
 * Closes the client's connection at once: a client that does not read never completes a WebSocket
 * close handshake, which would hold the hub's shutdown for ws's 30 s close timeout.
 */
export function terminate(socket: Socket): void {
  socket.disconnect(true)
  ;(socket.conn as unknown as EngineConn).transport?.socket?.terminate?.()
}

/** Bytes waiting to reach the client (estimated for engine.io's own buffer). */
export function queuedBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineConn
  let bytes = 0
  for (const p of conn.writeBuffer ?? []) {
    const d = p.data
    bytes += typeof d === 'string' ? d.length : d instanceof Uint8Array ? d.byteLength : 64
  }
  const ws = conn.transport?.socket
  bytes += ws?.bufferedAmount ?? 0
  bytes += ws?._socket?.writableLength ?? 0
  return bytes
}

export function boundSendQueue(socket: Socket, maxBytes: number, onDrop: (bytes: number) => void): void {
  const conn = socket.conn as unknown as EngineConn
  let dropped = false
  const check = () => {
    if (dropped) return
    const bytes = queuedBytes(socket)
    if (bytes <= maxBytes) return
    dropped = true
    onDrop(bytes)
    terminate(socket)
  }
  conn.on('packetCreate', check)
  const timer = setInterval(check, 1000)
  timer.unref()
  socket.on('disconnect', () => clearInterval(timer))
}
