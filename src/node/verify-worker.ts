/** The block checker's worker: answers CheckRequests (see src/db/block-checker.ts). */
import { answerCheck, type CheckRequest } from '../db/block-checker.js';
import { fastVerifier } from '../core/webcrypto-ed25519.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent<CheckRequest>) => void) | null; postMessage(message: unknown): void };
const verifier = fastVerifier();

scope.onmessage = (e) => {
  void verifier.then((v) => answerCheck(e.data, v)).then((res) => scope.postMessage(res), () => scope.postMessage({ id: e.data.id, cids: e.data.blocks.map(() => null) }));
};
