/**
 * The shape of a translation: each key maps to a text with `{name}` placeholders, or, where a
 * number decides the wording, to its plural forms (CLDR categories, chosen by Intl.PluralRules:
 * Russian and Polish use one/few/many/other, Japanese only other, Persian one/other).
 */
export type PluralForms = Readonly<Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }>;
export type Message = string | PluralForms;
export type Messages = Readonly<Record<string, Message>>;

/** Placeholders in a message: `{name}`, letters, digits and underscores. */
export const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** The placeholder names a message uses, over all its plural forms, sorted. */
export function placeholdersOf(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : Object.values(message);
  const names = new Set<string>();
  for (const text of texts) for (const match of (text ?? '').matchAll(PLACEHOLDER)) names.add(match[1] ?? '');
  return [...names].sort();
}
