/** The presence table: who is present, from verified records, with an injected clock. */
import { describe, expect, it } from 'vitest';
import { signPresence, type PresenceRecord } from '../../src/core/presence-record.js';
import { CLOCK_WINDOW, createPresenceTable, MAX_PRESENT, PRESENCE_TIMEOUT_MS, presenceId, type PresenceChange } from '../../src/core/presence-table.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';

const fields = (nick: string) => ({ nick, color: '#3a6ea5', status: 'online', text: '', typing: false }) as const;

function setup() {
  let now = 0;
  const table = createPresenceTable({ now: () => now });
  const changes: PresenceChange[] = [];
  table.onChange((change) => void changes.push(change));
  return { table, changes, advance: (ms: number) => void (now += ms) };
}

describe('presence table', () => {
  it('keeps another key\'s record for a client id as another entry: nobody can restate or remove someone else', async () => {
    const { table } = setup();
    const bob = await createIdentity();
    const mallory = await createIdentity();
    const bobId = presenceId(100, toBase64Url(bob.publicKey));
    expect(table.apply([await signPresence(bob, 100, 1, fields('Bob'))], 'peer')).toEqual(['applied']);
    // Mallory signs records for Bob's client id: a state at the top clock, and a departure.
    const verdicts = table.apply([await signPresence(mallory, 100, 2, null), await signPresence(mallory, 100, 0xffff_ffff, fields('Fake Person'))], 'peer');
    expect(verdicts).toEqual(['applied', 'applied']);
    expect(table.entries().get(bobId)?.state.nick).toBe('Bob');
    // Bob's own renewal still counts.
    expect(table.apply([await signPresence(bob, 100, 2, fields('Bob Renewed'))], 'peer')).toEqual(['applied']);
    expect(table.entries().get(bobId)?.state.nick).toBe('Bob Renewed');
    expect(table.idsOf(toBase64Url(bob.publicKey))).toEqual([bobId]);
  });

  it('ignores replays and refuses a clock jump beyond the window while present', async () => {
    const { table } = setup();
    const ana = await createIdentity();
    const id = presenceId(7, toBase64Url(ana.publicKey));
    const first = await signPresence(ana, 7, 10, fields('Ana'));
    const later = await signPresence(ana, 7, 11, fields('Ana 2'));
    expect(table.apply([first, later, first], 'p')).toEqual(['applied', 'applied', 'stale']);
    expect(table.entries().get(id)?.state.nick).toBe('Ana 2');
    expect(table.apply([await signPresence(ana, 7, 11 + CLOCK_WINDOW + 1, fields('Frozen'))], 'p')).toEqual(['clock']);
    expect(table.apply([await signPresence(ana, 7, 11 + CLOCK_WINDOW, fields('Ana 3'))], 'p')).toEqual(['applied']);
    expect(table.nextClock(id)).toBe(12 + CLOCK_WINDOW);
  });

  it('drops entries not renewed in time, and a departed entry\'s old records cannot bring it back', async () => {
    const { table, changes, advance } = setup();
    const ana = await createIdentity();
    const id = presenceId(7, toBase64Url(ana.publicKey));
    const old = await signPresence(ana, 7, 5, fields('Ana'));
    table.apply([old], 'p');
    advance(PRESENCE_TIMEOUT_MS - 1);
    table.expire();
    expect(table.entries().has(id)).toBe(true);
    advance(2);
    table.expire();
    expect(table.entries().has(id)).toBe(false);
    expect(changes.at(-1)?.removed).toEqual([id]);
    expect(table.apply([old], 'p')).toEqual(['stale']);
    // After leaving, any newer clock brings the member back (they may have been busy elsewhere).
    expect(table.apply([await signPresence(ana, 7, 5 + 5 * CLOCK_WINDOW, fields('Ana'))], 'p')).toEqual(['applied']);
  });

  it('holds at most MAX_PRESENT entries', async () => {
    const { table } = setup();
    const identity = await createIdentity();
    const records: PresenceRecord[] = [];
    for (let client = 0; client <= MAX_PRESENT; client++) records.push({ ...(await signPresence(identity, client, 1, fields('x'))) });
    const verdicts = table.apply(records, 'p');
    expect(verdicts.filter((verdict) => verdict === 'budget')).toHaveLength(1);
    expect(table.entries().size).toBe(MAX_PRESENT);
  });

  it('reports changes with the records to pass on, and local removals without any', async () => {
    const { table, changes } = setup();
    const ana: Identity = await createIdentity();
    const record = await signPresence(ana, 3, 1, fields('Ana'));
    table.apply([record], 'peer-1');
    expect(changes[0]?.records).toEqual([record]);
    table.remove(presenceId(3, record.key), 'peer-gone');
    expect(changes[1]).toEqual({ added: [], updated: [], removed: [presenceId(3, record.key)], records: [] });
  });
  it('a retired entry (a kicked tab) stays gone when a later renewal of it is relayed, while a new tab of the same person is welcome', async () => {
    const { table, changes } = setup();
    const bob = await createIdentity();
    const key = toBase64Url(bob.publicKey);
    expect(table.apply([await signPresence(bob, 100, 1, fields('Bob'))], 'peer')).toEqual(['applied']);
    table.retire(presenceId(100, key), 'kick');
    expect(changes.at(-1)?.removed).toEqual([presenceId(100, key)]);
    // Bob's renewal, signed before his tab heard of the kick, relayed by someone who had not applied it yet.
    expect(table.apply([await signPresence(bob, 100, 2, fields('Bob'))], 'relay')).toEqual(['stale']);
    expect(table.idsOf(key)).toEqual([]);
    // Bob opens the link again: a new tab, a new client id.
    expect(table.apply([await signPresence(bob, 101, 1, fields('Bob'))], 'peer')).toEqual(['applied']);
    expect(table.idsOf(key)).toEqual([presenceId(101, key)]);
  });
});
