// EMBED_ORIGINS: which sites may frame the app. Parsed strictly (a typo must not open framing to
// more than the self-hoster meant), and turned into the CSP's frame-ancestors.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, parseOrigin } from '../../signaling/config.js';
import { securityHeaders } from '../../signaling/http-responses.js';
import type { SignalingServer } from '../../signaling/server.js';
import { startNode } from '../helpers/node.js';

describe('EMBED_ORIGINS', () => {
  it('defaults to none: frame-ancestors stays none and X-Frame-Options DENY', () => {
    expect(defaultConfig().embedOrigins).toEqual([]);
    const headers = securityHeaders('localhost:8787', false, []);
    expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(headers['X-Frame-Options']).toBe('DENY');
  });

  it('reads a comma-separated list from the environment or the flag', () => {
    expect(loadConfig([], { EMBED_ORIGINS: 'https://shop.example, http://localhost:3000' }).embedOrigins).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect(loadConfig(['--embed-origins', 'http://127.0.0.1:5000'], {}).embedOrigins).toEqual(['http://127.0.0.1:5000']);
    expect(loadConfig([], { EMBED_ORIGINS: 'https://[::1]:8443' }).embedOrigins).toEqual(['https://[::1]:8443']);
  });

  it.each([
    'https://shop.example/',
    'https://shop.example/chat',
    'https://shop.example?x=1',
    'https://shop.example#top',
    'https://*.shop.example',
    '*',
    "'self'",
    'shop.example',
    'ftp://shop.example',
    'javascript:alert(1)',
    'data:text/html,hi',
    'https://user:pw@shop.example',
    'https://shop.example:443',
    'https://shop.example; script-src *',
    'https://shop.example frame-ancestors *',
    `https://${'a'.repeat(400)}.example`,
  ])('refuses %j, naming the option', (entry) => {
    expect(parseOrigin(entry)).toBeNull();
    expect(() => loadConfig([], { EMBED_ORIGINS: entry })).toThrow(ConfigError);
    expect(() => loadConfig([], { EMBED_ORIGINS: entry })).toThrow('EMBED_ORIGINS (--embed-origins)');
  });

  it('keeps an origin in the form browsers compare: upper-case scheme or host lower-cased', () => {
    expect(parseOrigin('https://Shop.Example')).toBe('https://shop.example');
    expect(parseOrigin('HTTPS://shop.example')).toBe('https://shop.example');
  });

  it('refuses more than 64 origins', () => {
    const many = Array.from({ length: 65 }, (_, i) => `https://s${i}.example`).join(',');
    expect(() => loadConfig([], { EMBED_ORIGINS: many })).toThrow('at most 64');
  });

  describe('on the wire', () => {
    let node: SignalingServer | undefined;
    afterEach(async () => {
      await node?.close();
      node = undefined;
    });

    it('sends frame-ancestors with the origins and no X-Frame-Options', async () => {
      node = await startNode({ embedOrigins: ['https://shop.example', 'http://localhost:3000'] });
      const response = await fetch(`${node.url()}/healthz`);
      expect(response.headers.get('content-security-policy')).toContain('frame-ancestors https://shop.example http://localhost:3000');
      expect(response.headers.get('x-frame-options')).toBeNull();
    });

    it('checks origins given in code too', async () => {
      await expect(startNode({ embedOrigins: ['https://shop.example/path'] })).rejects.toThrow(ConfigError);
    });
  });
});
