/** A connection gater for a LAN app: it lets browsers dial ws:// and private or loopback addresses. */
import type { ConnectionGater } from '@libp2p/interface';

/**
 * Allows every dial. Browsers' default gater refuses insecure WebSockets and
 * private addresses, which is exactly how a relay on a laptop or LAN is reached.
 */
export function lanConnectionGater(): ConnectionGater {
  return {
    denyDialMultiaddr: () => false,
  };
}
