/**
 * The file card, loaded with the first file message shown (a room without files never fetches
 * it) and kept once loaded, so later rows render it at once. Both room and private rows use it.
 */
import type FileCardType from './FileCard.svelte';

let card: typeof FileCardType | null = $state.raw(null);
let loading = false;

/** The FileCard component once loaded, else null (and its loading starts); reactive. */
export function fileCard(): typeof FileCardType | null {
  if (card === null && !loading) {
    loading = true;
    import('./FileCard.svelte').then(
      (module) => (card = module.default),
      () => (loading = false),
    );
  }
  return card;
}
