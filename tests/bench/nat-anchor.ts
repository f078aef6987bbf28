/**
 * The raw anchor of the "Across real NATs" bench beyond measureRawJoin (tests/helpers/nat-lab-raw.ts;
 * no app code, no ICE restart): the raw pair under the same change of a NAT as Parley, timed the
 * same way: from the change to each side's message written right after it arriving at the other
 * side, or not within the wait, with the ICE and connection states after it.
 */
import type { NatLab } from '../helpers/nat-lab.js';
import type { LabNode } from '../helpers/nat-lab-node.js';
import { openRawPair, type RawState } from '../helpers/nat-lab-raw.js';

export interface RawStateAfter extends RawState {
  readonly side: 'a' | 'b';
  /** ms after the change. */
  readonly ms: number;
}

export interface RawRecoveryRun {
  /** Change done → a's message (sent right after it) received by b, ms; NaN: not within the wait. */
  readonly aToB: number;
  readonly bToA: number;
  /** Every state change of either side after the change. */
  readonly states: readonly RawStateAfter[];
}

const CONNECT_MS = 20_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw pair between lan-a and lan-b (signalling through `node`) connected with `iceServers`, one message each way, then `change`, then one message each way. */
export async function measureRawRecovery(lab: NatLab, node: LabNode, iceServers: RTCIceServer[], change: () => void, waitMs: number): Promise<RawRecoveryRun> {
  const pair = await openRawPair(lab, node);
  try {
    await pair.start(iceServers);
    await pair.b.waitForMessage('hello', CONNECT_MS);
    if (!(await pair.a.send('before from a')) || !(await pair.b.send('before from b'))) throw new Error('raw pair: data channel not open');
    await Promise.all([pair.b.waitForMessage('before from a', CONNECT_MS), pair.a.waitForMessage('before from b', CONNECT_MS)]);
    await sleep(1000);
    change();
    const changed = Date.now();
    // The channel still reads 'open' after the path is gone (SCTP notices later): both sends queue.
    await Promise.all([pair.a.send('after from a'), pair.b.send('after from b')]);
    const arrived = async (promise: Promise<{ at: number }>): Promise<number> => {
      const message = await promise.catch(() => null);
      return message === null ? Number.NaN : message.at - changed;
    };
    const [aToB, bToA] = await Promise.all([
      arrived(pair.b.waitForMessage('after from a', waitMs, changed)),
      arrived(pair.a.waitForMessage('after from b', waitMs, changed)),
    ]);
    const after = async (side: 'a' | 'b'): Promise<RawStateAfter[]> =>
      (await pair[side].states()).filter((state) => state.at >= changed).map((state) => ({ ...state, side, ms: state.at - changed }));
    const states = [...(await after('a')), ...(await after('b'))].sort((x, y) => x.ms - y.ms);
    return { aToB, bToA, states };
  } finally {
    await pair.close();
  }
}
