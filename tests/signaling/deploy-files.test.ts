import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** A unit's directives and section headers, without its header comment and without Description=. */
function unitBody(text: string, dropInstanceLines: boolean): string[] {
  const lines = text.slice(text.indexOf('[Unit]')).split('\n');
  const kept: string[] = [];
  let inInstanceBlock = false;
  for (const line of lines) {
    if (line.startsWith('Description=')) continue;
    if (dropInstanceLines && line.startsWith('# instance:')) inInstanceBlock = true;
    if (inInstanceBlock) {
      // The marked comment, its continuation lines, and the one directive they explain.
      if (!line.startsWith('#')) inInstanceBlock = false;
      continue;
    }
    kept.push(line);
  }
  return kept;
}

describe('deploy files', () => {
  it('the systemd template is parley.service but for its lines marked "instance"', () => {
    const single = unitBody(read('deploy/systemd/parley.service'), false);
    const template = unitBody(read('deploy/systemd/parley@.service'), true);
    expect(template).toEqual(single);
    expect(read('deploy/systemd/parley@.service')).toContain('EnvironmentFile=/etc/parley/node-%i.env');
  });

  it('every deploy/ file the README names exists', () => {
    // Made by the self-hoster: `cp deploy/parley.env.example deploy/parley.env`.
    const madeByHand = new Set(['deploy/parley.env']);
    const named = new Set((read('README.md').match(/deploy\/[\w@./-]*[\w@]/g) ?? []).filter((path) => !madeByHand.has(path)));
    expect(named.size).toBeGreaterThan(5);
    const missing = [...named].filter((path) => !existsSync(new URL(`../../${path}`, import.meta.url)));
    expect(missing).toEqual([]);
  });
});
