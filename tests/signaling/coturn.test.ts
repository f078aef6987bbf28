import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IceResponse, IceServer } from '../../signaling/ice.js';
import type { SignalingServer } from '../../signaling/server.js';
import { startCoturn, turnAllocate, type Coturn } from '../helpers/coturn.js';
import { startNode } from '../helpers/node.js';

/** Credentials from /ice checked by coturn itself (Debian's `turnserver`, `use-auth-secret`). */
describe('TURN credentials against coturn', () => {
  const SECRET = 'a-static-auth-secret-for-tests';
  let coturn: Coturn | undefined;
  const nodes: SignalingServer[] = [];
  beforeAll(async () => {
    coturn = await startCoturn({ secret: SECRET });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await coturn?.stop();
  });

  const turnEntry = async (options: Parameters<typeof startNode>[0]): Promise<IceServer> => {
    const node = await startNode({ turnUrls: [`turn:127.0.0.1:${coturn?.port}?transport=udp`], ...options });
    nodes.push(node);
    const body = (await (await fetch(`${node.url()}/ice`)).json()) as IceResponse;
    const entry = body.iceServers.find((server) => server.username !== undefined);
    if (entry === undefined) throw new Error(`no TURN entry in ${JSON.stringify(body)}`);
    return entry;
  };
  const allocate = (entry: IceServer): ReturnType<typeof turnAllocate> =>
    turnAllocate({ host: '127.0.0.1', port: coturn?.port ?? 0, username: entry.username ?? '', password: entry.credential ?? '' });

  it('allocates a relay with the credential /ice hands out', async () => {
    const entry = await turnEntry({ turnSecret: SECRET });
    expect(entry.urls).toEqual([`turn:127.0.0.1:${coturn?.port}?transport=udp`]);
    const result = await allocate(entry);
    expect(result).toMatchObject({ ok: true });
    // coturn writes its log line around when it answers: under load the line may come just after.
    await expect.poll(() => coturn?.log(), { timeout: 10_000 }).toContain(`user <${entry.username}>: incoming packet ALLOCATE processed, success`);
  });

  it('refuses a credential whose expiry has passed (minted by a node whose clock is 7 hours behind, TTL 6 hours)', async () => {
    const entry = await turnEntry({ turnSecret: SECRET, turnTtlSeconds: 6 * 3600, wallClock: () => Date.now() - 7 * 3600_000 });
    expect(Number(entry.username?.split(':')[0])).toBeLessThan(Date.now() / 1000);
    expect(await allocate(entry)).toMatchObject({ ok: false, errorCode: 401 });
    expect(coturn?.log()).not.toContain(`user <${entry.username}>: incoming packet ALLOCATE processed, success`);
  });

  it('refuses a credential minted with another secret', async () => {
    const entry = await turnEntry({ turnSecret: 'not-the-secret' });
    expect(await allocate(entry)).toMatchObject({ ok: false, errorCode: 401 });
  });
});
