/** The block checker's worker: answers CheckRequests (see src/db/block-checker.ts). */
import { answerCheck, warmUpRequest, type CheckRequest } from '../db/block-checker.js';
import { fastVerifier } from '../core/webcrypto-ed25519.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent<CheckRequest>) => void) | null; postMessage(message: unknown): void };
// Checks made-up blocks once before the first request is answered (requests wait for it): see warmUpRequest.
const verifier = fastVerifier().then(async (v) => {
  await warmUpRequest().then((req) => answerCheck(req, v)).catch(() => undefined);
  return v;
});

scope.onmessage = (e) => {
  void verifier.then((v) => answerCheck(e.data, v)).then((res) => scope.postMessage(res), () => scope.postMessage({ id: e.data.id, passed: e.data.blocks.map(() => null) }));
};
