/** Gives Node 20 the global WebSocket that @libp2p/websockets dials with (from the `ws` package). */
import { WebSocket as NodeWebSocket } from 'ws';

/** Installs `ws` as globalThis.WebSocket when the runtime has none (Node 20); a no-op otherwise. */
export function installNodeWebSocket(): void {
  const g = globalThis as { WebSocket?: unknown };
  if (g.WebSocket == null) g.WebSocket = NodeWebSocket;
}
