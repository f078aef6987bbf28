/** The NAT lab in a vitest file: built before its tests, disposed after them (also when they fail). */
import { afterAll, beforeAll } from 'vitest';
import { createNatLab, type NatLab, type NatLabOptions } from './nat-lab.js';

export function useNatLab(options: NatLabOptions = {}): () => NatLab {
  let lab: NatLab | undefined;
  beforeAll(() => {
    lab = createNatLab(options);
  });
  afterAll(async () => {
    await lab?.dispose();
  });
  return () => {
    if (lab === undefined) throw new Error('NAT lab not built yet');
    return lab;
  };
}
