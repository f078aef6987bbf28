/**
 * tweetnacl with its random source set explicitly to WebCrypto's getRandomValues, which exists
 * in browsers, workers and Node ≥ 19 alike. (tweetnacl's own detection looks for `self.crypto`
 * or a CommonJS `require`, and finds neither in some ESM runtimes, leaving it without a PRNG.)
 */
import nacl from 'tweetnacl';

const QUOTA_BYTES = 65_536; // getRandomValues fills at most 64 KiB per call

nacl.setPRNG((target: Uint8Array, length: number) => {
  for (let offset = 0; offset < length; offset += QUOTA_BYTES) {
    globalThis.crypto.getRandomValues(target.subarray(offset, Math.min(length, offset + QUOTA_BYTES)));
  }
});

export default nacl;
