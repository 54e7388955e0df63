/** The relay's private key, kept in a file so its PeerID (and so its address) survives restarts. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrivateKey } from '@libp2p/interface';
import { createPeerKey, deserializePeerKey, serializePeerKey } from '../src/net/peer-key.js';

/** Name of the key file inside the relay's data folder. */
export const KEY_FILE = 'peer-key.pb';

/** Reads the key from `dataDir`, or creates, saves (mode 0600) and returns a new one. */
export async function loadOrCreateRelayKey(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, KEY_FILE);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (bytes != null) return deserializePeerKey(bytes);

  const key = await createPeerKey();
  await mkdir(dataDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, serializePeerKey(key), { mode: 0o600 });
  await rename(tmp, path);
  return key;
}
