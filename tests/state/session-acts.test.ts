import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { formatStamp } from '../../src/core/hlc.js';
import { actKey, createMessageAct, encodeMessageAct } from '../../src/core/message-acts.js';
import { createMessageEntry } from '../../src/core/message-entry.js';
import { createMessageLog } from '../../src/core/message-log.js';
import { createModerationAction, reduceModeration } from '../../src/core/moderation.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { MessageFilter } from '../../src/state/message-filter.js';
import { SessionActs } from '../../src/state/session-acts.svelte.js';

const T0 = Date.now() - 60_000;
const stamp = (wallMs: number, counter = 0): string => formatStamp({ wallMs, counter });

describe('session acts', () => {
  it('shows an edit only if the room would have let it through as a message: not made while muted, nor after a ban', async () => {
    const [admin, ana] = [await createIdentity(), await createIdentity()];
    const anaKey = toBase64Url(ana.publicKey);
    const doc = new Y.Doc();
    const filter = new MessageFilter(createMessageLog());
    const acts = new SessionActs({ doc, filter, removalOrigin: 'moderation', identity: () => null, tick: () => stamp(Date.now()), drop: () => undefined, refresh: () => undefined });
    const message = await createMessageEntry(ana, { nick: 'Ana', text: 'Lunch at noon?', hlc: stamp(T0) });
    filter.upsert([message]);
    // Ana edits at T0 + 20 s.
    const edit = await createMessageAct(ana, { k: 'e', target: message.id, text: 'Buy cheap watches at spam.example' }, stamp(T0 + 20_000));
    doc.getMap('acts').set(actKey(edit), encodeMessageAct(edit));
    await acts.start();
    acts.need([message.id]);
    await expect.poll(() => acts.textOf(message).text).toBe('Buy cheap watches at spam.example');

    // Muted from T0 + 10 s for ten minutes: that edit was made while muted and is not shown.
    const mute = await createModerationAction(admin, { kind: 'mute', target: anaKey, untilMs: T0 + 600_000 }, stamp(T0 + 10_000));
    filter.setModeration(reduceModeration([mute]));
    expect(acts.textOf(message)).toEqual({ text: 'Lunch at noon?', edited: false });

    // A mute that ended before the edit, or started after it, leaves it shown.
    const earlier = await createModerationAction(admin, { kind: 'mute', target: anaKey, untilMs: T0 + 15_000 }, stamp(T0 + 10_000));
    filter.setModeration(reduceModeration([earlier]));
    expect(acts.textOf(message).edited).toBe(true);
    const later = await createModerationAction(admin, { kind: 'mute', target: anaKey, untilMs: T0 + 600_000 }, stamp(T0 + 30_000));
    filter.setModeration(reduceModeration([later]));
    expect(acts.textOf(message).edited).toBe(true);

    // An edit made after a ban is not shown either (the message from before the ban is).
    const ban = await createModerationAction(admin, { kind: 'ban', target: anaKey, reason: '' }, stamp(T0 + 15_000));
    filter.setModeration(reduceModeration([ban]));
    expect(filter.reasonFor(message)).toBeNull();
    expect(acts.textOf(message)).toEqual({ text: 'Lunch at noon?', edited: false });
    acts.stop();
  });
});
