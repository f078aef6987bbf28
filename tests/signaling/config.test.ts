import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, OPTION_SPECS, defaultConfig, loadConfig } from '../../signaling/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(defaultConfig()).toMatchObject({ port: 8787, host: undefined, maxFrameBytes: 16384, deliveredBytesPerSecond: 8 * 1024 * 1024, deliveredBytesBurst: 100 * 1024 * 1024, ipv6PrefixLength: 64, trustProxy: false, allowedOrigins: [], logLevel: 'info' });
  });

  it('reads environment variables, and flags win over them', () => {
    const config = loadConfig(['--port', '9000', '--trust-proxy', '--allowed-origins=https://a.example, https://b.example'], { PORT: '7000', MAX_TOPIC_LENGTH: '64', HOST: '127.0.0.1' });
    expect(config).toMatchObject({ port: 9000, maxTopicLength: 64, host: '127.0.0.1', trustProxy: true, allowedOrigins: ['https://a.example', 'https://b.example'] });
  });

  it.each([
    [['--port', '70000'], 'PORT (--port) must be between 0 and 65535'],
    [['--rate-limit-burst', '0'], 'RATE_LIMIT_BURST (--rate-limit-burst) must be between 1'],
    [['--ipv6-prefix-length', '129'], 'IPV6_PREFIX_LENGTH (--ipv6-prefix-length) must be between 1 and 128'],
    [['--delivered-bytes-burst', '0'], 'DELIVERED_BYTES_BURST (--delivered-bytes-burst) must be between 1'],
    [['--log-level', 'loud'], 'LOG_LEVEL (--log-level) must be one of'],
    [['--trust-proxy', 'maybe'], 'TRUST_PROXY (--trust-proxy) must be true or false'],
    [['--tls-cert', 'cert.pem'], 'TLS_CERT and TLS_KEY must be set together'],
    [['--colour', 'blue'], 'unknown option "--colour"'],
    [['--port'], 'option --port needs a value'],
  ])('rejects %j with a message naming the option', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).toThrow(message);
  });

  it('has the documented ICE defaults: own STUN responder on 3478, no TURN, 6-hour credentials, 30 /ice a minute', () => {
    expect(defaultConfig()).toMatchObject({ stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlSeconds: 21600, stunPort: 3478, stunHost: undefined, stunResponsesPerSecond: 50, iceRequestsPerMinute: 30, iceRequestsBurst: 20 });
  });

  it('reads STUN and TURN URIs, every RFC 7064/7065 form', () => {
    const config = loadConfig([], {
      STUN_URLS: 'stun:stun.example.org, stuns:stun.example.org:5349,stun:[2001:db8::1]:3478,stun:198.51.100.7',
      TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turn:turn.example.org:3478?transport=tcp,turns:turn.example.org:443?transport=tcp,turn:[2001:db8::2]',
      TURN_SECRET: 's3cret',
      TURN_TTL_SECONDS: '60',
      STUN_PORT: '0',
    });
    expect(config).toMatchObject({
      stunUrls: ['stun:stun.example.org', 'stuns:stun.example.org:5349', 'stun:[2001:db8::1]:3478', 'stun:198.51.100.7'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:443?transport=tcp', 'turn:[2001:db8::2]'],
      turnSecret: 's3cret',
      turnTtlSeconds: 60,
      stunPort: 0,
    });
  });

  it.each([
    [{ STUN_URLS: 'https://stun.example.org' }, 'STUN_URLS (--stun-urls) entry "https://stun.example.org" is not a stun: or stuns: URI'],
    [{ STUN_URLS: 'turn:turn.example.org' }, 'STUN_URLS (--stun-urls) entry "turn:turn.example.org"'],
    [{ STUN_URLS: 'stun:stun.example.org:70000' }, 'STUN_URLS (--stun-urls) entry'],
    [{ STUN_URLS: 'stun:stun.example.org?transport=udp' }, 'STUN_URLS (--stun-urls) entry'],
    [{ STUN_URLS: 'stun://stun.example.org' }, 'STUN_URLS (--stun-urls) entry'],
    [{ STUN_URLS: 'stun:[2001:db8::1' }, 'STUN_URLS (--stun-urls) entry'],
    [{ TURN_URLS: 'stun:turn.example.org', TURN_SECRET: 's' }, 'TURN_URLS (--turn-urls) entry "stun:turn.example.org" is not a turn: or turns: URI'],
    [{ TURN_URLS: 'turn:turn.example.org?transport=sctp', TURN_SECRET: 's' }, 'TURN_URLS (--turn-urls) entry'],
    [{ TURN_URLS: 'turn:user:pass@turn.example.org', TURN_SECRET: 's' }, 'TURN_URLS (--turn-urls) entry'],
    [{ TURN_URLS: 'turn:turn.example.org' }, 'TURN_URLS needs TURN_SECRET'],
    [{ TURN_SECRET: 's3cret' }, 'TURN_SECRET needs TURN_URLS'],
    [{ TURN_URLS: 'turn:turn.example.org', TURN_SECRET: 's', TURN_TTL_SECONDS: '59' }, 'TURN_TTL_SECONDS (--turn-ttl-seconds) must be between 60 and 604800'],
    [{ TURN_URLS: 'turn:turn.example.org', TURN_SECRET: 's', TURN_TTL_SECONDS: '604801' }, 'TURN_TTL_SECONDS (--turn-ttl-seconds) must be between 60 and 604800'],
    [{ STUN_PORT: '65536' }, 'STUN_PORT (--stun-port) must be between 0 and 65535'],
    [{ ICE_REQUESTS_PER_MINUTE: '0' }, 'ICE_REQUESTS_PER_MINUTE (--ice-requests-per-minute) must be between 1'],
    [{ STUN_RESPONSES_PER_SECOND: '0' }, 'STUN_RESPONSES_PER_SECOND (--stun-responses-per-second) must be between 1'],
  ])('rejects the ICE environment %j with a message naming the option', (env, message) => {
    expect(() => loadConfig([], env)).toThrow(ConfigError);
    expect(() => loadConfig([], env)).toThrow(message);
  });

  it('takes TURN options as flags too', () => {
    expect(loadConfig(['--turn-urls', 'turns:turn.example.org:443?transport=tcp', '--turn-secret=s', '--stun-port', '3479', '--ice-requests-burst', '3'], {})).toMatchObject({ turnUrls: ['turns:turn.example.org:443?transport=tcp'], turnSecret: 's', stunPort: 3479, iceRequestsBurst: 3 });
  });

  it('is documented in one README table, option for option, with the same defaults', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[A-Z0-9_]+` \| `--/.test(line));
    const documented = rows.map((line) => {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replaceAll('`', ''));
      return { env: cells[0], flag: cells[1], defaultText: cells[2] === 'unset' ? '' : cells[2] };
    });
    expect(documented).toEqual(OPTION_SPECS.map(({ env, flag, defaultText }) => ({ env, flag, defaultText })));
  });
});
