/** Errors this layer throws on writes; reading stored data never throws, it drops instead. */

export type PersistenceErrorCode = 'closed' | 'invalid_input';

/** The one error type of the persistence layer, with a machine code. */
export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string) {
    super(message);
    this.name = 'PersistenceError';
    this.code = code;
  }
}
