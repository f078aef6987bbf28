/**
 * Presence over the wire: every update a peer sends is decoded with bounded numbers, every record
 * in it has its signature checked, and only then does the presence table (core/presence-table.ts)
 * judge its clock. Whatever fails is dropped and counted; nothing is thrown.
 */
import { decodePresenceUpdate, encodePresenceUpdate, verifyPresenceRecord, type PresenceRecord } from '../core/presence-record.js';
import type { PresenceTable } from '../core/presence-table.js';
import type { DropReason } from '../core/types.js';

export interface PresenceSync {
  /**
   * Checks and applies one presence update from `origin`; resolves when done. Never rejects.
   * `stillOpen` is asked once the signatures are checked: a record from a connection that closed
   * meanwhile (the last status a departing tab sent) must not bring its sender back after the
   * departure removed them.
   */
  receive(update: Uint8Array, origin: unknown, stillOpen?: () => boolean): Promise<void>;
  /** Everyone present, as one update (a greeting); null if nobody is. */
  greeting(): Uint8Array | null;
  /** An update carrying exactly these records. */
  encode(records: readonly PresenceRecord[]): Uint8Array;
}

export function createPresenceSync(table: PresenceTable, onDrop: (reason: DropReason) => void): PresenceSync {
  return {
    async receive(update, origin, stillOpen = () => true) {
      const decoded = decodePresenceUpdate(update);
      if (decoded === null) return onDrop('decode');
      for (const reason of decoded.dropped) onDrop(reason);
      let valid: PresenceRecord[];
      try {
        const checks = await Promise.all(decoded.records.map((record) => verifyPresenceRecord(record)));
        valid = decoded.records.filter((record, i) => {
          if (checks[i] !== true) onDrop('signature');
          return checks[i] === true;
        });
      } catch {
        return onDrop('signature');
      }
      if (valid.length === 0 || !stillOpen()) return;
      for (const verdict of table.apply(valid, origin)) if (verdict !== 'applied' && verdict !== 'stale') onDrop(verdict);
    },
    greeting() {
      const records = [...table.entries().values()].map((entry) => entry.record);
      return records.length === 0 ? null : encodePresenceUpdate(records);
    },
    encode: (records) => encodePresenceUpdate(records),
  };
}
