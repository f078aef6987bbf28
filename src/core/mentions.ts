/**
 * @mentions: a message mentions someone when it holds "@" followed by their nickname, not
 * glued to a word on either side. Nicknames may hold spaces and any script, so this matches the
 * known nickname rather than guessing where a name ends. Case-insensitive, like the messengers
 * people know ("@ana" reaches Ana).
 */

/** Letters, marks and digits of any script: what may not touch a mention on either side. */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

/** The text a click on a nickname inserts into the composer. */
export function mentionOf(nick: string): string {
  return `@${nick} `;
}

/** True if `text` mentions `nick` (see the module comment). */
export function mentions(text: string, nick: string): boolean {
  if (nick === '') return false;
  const haystack = text.toLocaleLowerCase();
  const needle = `@${nick.toLocaleLowerCase()}`;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack.charAt(at - 1);
    const after = [...haystack.slice(at + needle.length, at + needle.length + 2)][0] ?? '';
    if ((at === 0 || !WORD_CHAR.test(before)) && !WORD_CHAR.test(after)) return true;
  }
  return false;
}
