/**
 * Presence updates as they arrive from a connection: signatures checked first, then the table.
 * Real identities and a real table; the connection's state is a flag the test flips.
 */
import { describe, expect, it } from 'vitest';
import { encodePresenceUpdate, signPresence } from '../../src/core/presence-record.js';
import { createPresenceTable, presenceId } from '../../src/core/presence-table.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { createPresenceSync } from '../../src/transport/presence-sync.js';

const FIELDS = { nick: 'Calm Heron', color: '#3a6ea5', status: 'away', text: '', typing: false } as const;

describe('presence sync', () => {
  it('does not bring back a member whose connection closed while their last record was being checked', async () => {
    const alice = await createIdentity();
    const table = createPresenceTable({ now: () => 0 });
    const drops: string[] = [];
    const sync = createPresenceSync(table, (reason) => drops.push(reason));
    const first = await signPresence(alice, 7, 1, { ...FIELDS, status: 'online' });
    await sync.receive(encodePresenceUpdate([first]), 'link', () => true);
    const id = presenceId(7, first.key);
    expect(table.entries().has(id)).toBe(true);

    // Her tab goes hidden as it closes: the "away" record arrives, then the connection closes and
    // the departure removes her, while the record's signature is still being checked.
    let open = true;
    const last = await signPresence(alice, 7, 2, FIELDS);
    const receiving = sync.receive(encodePresenceUpdate([last]), 'link', () => open);
    open = false;
    table.remove(id, 'peer-gone');
    await receiving;
    expect(table.entries().has(id)).toBe(false);
    expect(drops).toEqual([]);

    // The same record over a connection still open is applied.
    await sync.receive(encodePresenceUpdate([last]), 'other', () => true);
    expect(table.entries().get(id)?.state?.status).toBe('away');
  });
});
