/**
 * Runs the JavaScript crypto a join needs (SHA-512 for the room's keys, XSalsa20-Poly1305 for
 * every signaling message) a few times while the page is idle, so the JIT has compiled it before
 * a person opens a link. Cold, tweetnacl ran in V8's interpreter: deriving a room's keys took
 * 5–10 ms and sealing or opening one signaling message 2–6 ms, each in the middle of a joining
 * page's WebRTC handshake (tests/bench/RESULTS.md, join). Only random throwaway values are used.
 */
import { openBox, sealBox } from './box.js';
import { deriveKeysUncached } from './keys.js';
import nacl from './nacl.js';

const ROUNDS = 24;
let started = false;

/** Starts the warm-up once per page (later calls do nothing). */
export function warmUpCrypto(): void {
  if (started) return;
  started = true;
  let done = 0;
  const key = nacl.randomBytes(32);
  const payload = nacl.randomBytes(600);
  const step = (deadline?: IdleDeadline): void => {
    // A few rounds per idle period, so a person's click is never kept waiting behind this.
    do {
      deriveKeysUncached(nacl.randomBytes(32));
      openBox(key, sealBox(key, payload));
      done++;
    } while (done < ROUNDS && deadline !== undefined && deadline.timeRemaining() > 4);
    if (done < ROUNDS) schedule();
  };
  const schedule = (): void => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(step, { timeout: 2000 });
    else setTimeout(step, 50);
  };
  schedule();
}
