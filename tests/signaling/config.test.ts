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
