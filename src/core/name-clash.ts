/**
 * Two keys behind one name. Anyone with the link can call themselves "Ana" while Ana is here (or
 * once was: her messages stay in the history), and nicknames drawn at random also collide (840
 * combinations). Messengers show who is who then: Element adds the account id to a display name
 * that two members share. Parley's people have no account id, so a shared name gets the start of
 * each key's safety code beside it, the code the people list shows in full.
 *
 * "Shared" is judged on the name as a reader sees it, not as bytes: case, accents, invisible
 * characters (zero-width joiners, bidi controls), spacing and punctuation do not count, and Latin
 * letters' lookalikes in Cyrillic and Greek (a subset of Unicode's confusables, UTS #39) count as
 * those letters. "Ana", "ana", "Аna" with a Cyrillic А, "A n a" and "Ana\u200d" are one name.
 */
import { normalizeText } from './search-text.js';

/** Lookalikes of Latin letters and digits, after case folding (what fonts draw alike). */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'l', ї: 'l', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin and digits that stand in for each other in most fonts
  i: 'l', '1': 'l', '|': 'l', '0': 'o', '5': 's', rn: 'm', vv: 'w',
};
const LOOKALIKE_PATTERN = new RegExp(Object.keys(LOOKALIKES).sort((a, b) => b.length - a.length).join('|'), 'gu');
/** What a reader does not count as part of a name: spaces, punctuation, symbols, emoji joiners. */
const NOT_NAME = /[\s\p{P}\p{S}\p{Cc}\p{Cf}\u034F\uFE00-\uFE0F]/gu;

/** The form two names share when people would read them as one (see the module comment). */
export function nameSkeleton(nick: string): string {
  const folded = normalizeText(nick).replace(NOT_NAME, '');
  const skeleton = folded.replace(LOOKALIKE_PATTERN, (letters) => LOOKALIKES[letters] ?? letters);
  // A name made only of what does not count ("!!!", emoji) is compared as written.
  return skeleton === '' ? nick.normalize('NFC') : skeleton;
}

/** Most (key, name) pairs remembered; the ones least recently seen go first. */
export const MAX_NAME_PAIRS = 10_000;

/**
 * The names seen in a room (present people, authors of the messages held) and which of them more
 * than one key uses. Bounded: a member renaming in a loop cannot grow it past MAX_NAME_PAIRS, and
 * the people present are noted again on every change of the list, so theirs stay.
 */
export class NameRegistry {
  /** Skeleton → the keys using it. */
  readonly #keysByName = new Map<string, Set<string>>();
  /** `key\nskeleton` pairs → skeleton, least recently noted first (Map order), for the bound. */
  readonly #pairs = new Map<string, string>();
  readonly #skeletons = new Map<string, string>();
  #shared = 0;

  /** How many names are used by more than one key now. */
  get sharedNames(): number {
    return this.#shared;
  }

  /** Records that `key` goes by `nick`; true if that changed which names are shared. */
  note(key: string, nick: string): boolean {
    const skeleton = this.#skeletonOf(nick);
    const pair = `${key}\n${skeleton}`;
    if (this.#pairs.has(pair)) {
      // Seen again: to the back of the eviction order.
      this.#pairs.delete(pair);
      this.#pairs.set(pair, skeleton);
      return false;
    }
    this.#pairs.set(pair, skeleton);
    let keys = this.#keysByName.get(skeleton);
    if (keys === undefined) this.#keysByName.set(skeleton, (keys = new Set()));
    keys.add(key);
    let changed = keys.size === 2;
    if (changed) this.#shared++;
    while (this.#pairs.size > MAX_NAME_PAIRS) changed = this.#evictOldest() || changed;
    return changed;
  }

  /** True if `nick` reads as the name of a key other than `key`. */
  isShared(key: string, nick: string): boolean {
    const keys = this.#keysByName.get(this.#skeletonOf(nick));
    return keys !== undefined && (keys.size > 1 || (keys.size === 1 && !keys.has(key)));
  }

  #evictOldest(): boolean {
    const [pair, skeleton] = this.#pairs.entries().next().value as [string, string];
    this.#pairs.delete(pair);
    const keys = this.#keysByName.get(skeleton);
    if (keys === undefined) return false;
    keys.delete(pair.slice(0, pair.indexOf('\n')));
    if (keys.size === 0) this.#keysByName.delete(skeleton);
    if (keys.size !== 1) return false;
    this.#shared--;
    return true;
  }

  /** Skeletons of the nicknames seen, cached (the same few names are asked about for every row). */
  #skeletonOf(nick: string): string {
    let skeleton = this.#skeletons.get(nick);
    if (skeleton === undefined) {
      skeleton = nameSkeleton(nick);
      if (this.#skeletons.size >= MAX_NAME_PAIRS) this.#skeletons.clear();
      this.#skeletons.set(nick, skeleton);
    }
    return skeleton;
  }
}
