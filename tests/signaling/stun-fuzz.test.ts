import { describe, expect, it } from 'vitest';
import { createAddressLimiter } from '../../signaling/address-limiter.js';
import { silentLogger } from '../../signaling/logger.js';
import { STUN_RESULTS, createStats } from '../../signaling/metrics.js';
import { parseBindingRequest } from '../../signaling/stun.js';
import { createStunResponder } from '../../signaling/stun-responder.js';
import { until } from '../helpers/node.js';
import { createRandom } from '../helpers/random.js';
import { UdpClient, bindingRequest, isAnswerableRequest, readBindingAnswer, refingerprint, type Attribute } from './stun-packets.js';

type Random = ReturnType<typeof createRandom>;

const bytes = (random: Random, length: number): Buffer => Buffer.from(Array.from({ length }, () => random.int(256)));

/** A valid Binding request of one of the shapes browsers and STUN tools send. */
function validRequest(random: Random): Buffer {
  const id = bytes(random, 12);
  const software: Attribute = { type: 0x8022, value: Buffer.from('fuzz client') };
  const ice: Attribute[] = [{ type: 0x0006, value: Buffer.from('ufrag:ufrag') }, { type: 0x0024, value: bytes(random, 4) }, { type: 0x8029, value: bytes(random, 8) }, { type: 0x0008, value: bytes(random, 20) }];
  switch (random.int(4)) {
    case 0: return bindingRequest(id);
    case 1: return bindingRequest(id, [], true);
    case 2: return bindingRequest(id, [software], true);
    default: return bindingRequest(id, ice, random.int(2) === 0);
  }
}

/** One to three mutations; a trailing FINGERPRINT is sometimes recomputed so mutants also get past it. */
function mutate(random: Random, packet: Buffer): Buffer {
  let out = Buffer.from(packet);
  for (let n = 1 + random.int(3); n > 0; n--) {
    const at = random.int(Math.max(1, out.length));
    switch (random.int(9)) {
      case 0: out[at] = (out[at] ?? 0) ^ (1 << random.int(8)); break; // flip a bit
      case 1: out[at] = random.int(256); break; // set a byte
      case 2: out = out.subarray(0, random.int(out.length + 1)); break; // truncate
      case 3: out = Buffer.concat([out, bytes(random, random.int(40))]); break; // trailing junk
      case 4: if (out.length >= 4) out.writeUInt16BE(random.pick([0, 4, 8, out.length - 20, out.length - 16, random.int(65536)]) & 0xffff, 2); break; // length field
      case 5: if (out.length >= 2) out.writeUInt16BE(random.pick([0x0001, 0x0011, 0x0101, 0x0111, 0x0003, 0x0004, 0x0009, 0x4001, 0x8001, random.int(65536)]), 0); break; // type
      case 6: if (out.length >= 24) out.writeUInt16BE(random.pick([0x0003, 0x0020, 0x0027, 0x8028, 0x8022, 0x0006, random.int(65536)]), 20 + 4 * random.int((out.length - 20) >> 2)); break; // some 4-byte slot read as an attribute type
      case 7: out = Buffer.concat([out.subarray(0, at), bytes(random, 1 + random.int(8)), out.subarray(at)]); break; // insert
      default: out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + random.int(8))]); break; // delete
    }
  }
  return random.int(3) === 0 ? refingerprint(out) : out;
}

function corpus(seed: number, count: number): Buffer[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const base = validRequest(random);
    return random.int(5) === 0 ? base : mutate(random, base);
  });
}

describe('STUN fuzz (seeded)', () => {
  it('the parser agrees with an independent reading of RFC 8489 on 30,000 mutated requests and never throws', () => {
    const packets = corpus(0x57a7, 30_000);
    let valid = 0;
    for (const packet of packets) {
      const result = parseBindingRequest(packet);
      const answerable = isAnswerableRequest(packet);
      if (answerable) valid++;
      expect(typeof result !== 'string', packet.toString('hex')).toBe(answerable);
      if (typeof result !== 'string') expect(Buffer.from(result.transactionId).equals(packet.subarray(8, 20))).toBe(true);
    }
    // The mix exercises both sides: plenty of valid requests, most mutants refused.
    expect(valid).toBeGreaterThan(6000);
    expect(valid).toBeLessThan(20_000);
  });

  it('over UDP, answers exactly the valid requests among 4,000 datagrams, each with the right address, and keeps answering', async () => {
    const stats = createStats();
    const limiter = createAddressLimiter({ perSecond: 1e6, burst: 1e6, maxKeys: 100, now: () => performance.now() });
    const responder = createStunResponder({ port: 0, host: '127.0.0.1', ipv6PrefixLength: 64, limiter, stats, log: silentLogger });
    const client = await UdpClient.open();
    try {
      const port = await responder.ready;
      if (port === undefined) throw new Error('responder did not bind');
      const packets = corpus(0xf022, 4000);
      const expected = new Map<string, number>();
      for (const packet of packets) {
        if (!isAnswerableRequest(packet)) continue;
        const id = packet.subarray(8, 20).toString('hex');
        expected.set(id, (expected.get(id) ?? 0) + 1);
      }
      const counted = (): number => STUN_RESULTS.reduce((sum, result) => sum + stats.stunPackets[result], 0);
      // Batches small enough for the socket's receive buffer, each processed before the next.
      for (let start = 0; start < packets.length; start += 50) {
        const batch = packets.slice(start, start + 50);
        for (const packet of batch) await client.send(packet, port);
        await until(() => counted() === start + batch.length, 5000, `batch at ${start} to be processed`);
      }
      const answers = [...expected.values()].reduce((sum, n) => sum + n, 0);
      await until(() => client.received.length === answers, 5000, `${answers} answers`);
      expect(stats.stunPackets.answered).toBe(answers);
      const got = new Map<string, number>();
      for (const packet of client.received) {
        const answer = readBindingAnswer(packet);
        expect(answer).toMatchObject({ family: 1, address: '127.0.0.1', port: client.port, fingerprintValid: true });
        got.set(answer.transactionId, (got.get(answer.transactionId) ?? 0) + 1);
      }
      expect(got).toEqual(expected);
      expect(stats.stunPackets.send_error + stats.stunPackets.rate_limited + stats.stunPackets.bad_source).toBe(0);
      // Still alive after all that.
      const probe = bindingRequest(Buffer.alloc(12, 0x42));
      await client.send(probe, port);
      await until(() => client.received.length === answers + 1, 5000, 'the probe\'s answer');
    } finally {
      client.close();
      await responder.close();
    }
  });
});
