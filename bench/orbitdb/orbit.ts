/** OrbitDB 4 peers in Node: Helia over libp2p (TCP loopback, noise, yamux, identify, gossipsub), LevelDB on disk. */
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub } from '@libp2p/gossipsub';
import { createHelia } from 'helia';
import { LevelBlockstore } from 'blockstore-level';
import { createOrbitDB } from '@orbitdb/core';
import { join } from 'node:path';

export interface OrbitPeer {
  // OrbitDB ships no types: kept loose on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  orbitdb: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  libp2p: any;
  stop(): Promise<void>;
}

/** One OrbitDB peer with its data under `dir` (blocks and OrbitDB's own LevelDB stores). */
export async function startOrbitPeer(dir: string): Promise<OrbitPeer> {
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
  });
  const blockstore = new LevelBlockstore(join(dir, 'blocks'));
  const ipfs = await createHelia({ libp2p, blockstore });
  const orbitdb = await createOrbitDB({ ipfs, directory: join(dir, 'orbitdb') });
  return {
    orbitdb,
    libp2p,
    async stop() {
      await orbitdb.stop().catch(() => undefined);
      await ipfs.stop().catch(() => undefined);
    },
  };
}
