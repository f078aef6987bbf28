import type { Messages } from '../messages';

export default {
  'search.open': 'Szukaj',
  'search.label': 'Szukaj w wiadomościach',
  'search.close': 'Zamknij wyszukiwanie',
  'search.scope': 'Przeszukuje historię pokoju zapisaną na tym urządzeniu.',
  'search.results': 'Wyniki wyszukiwania',
  'search.none': 'Nie znaleziono wiadomości.',
  'search.found': { one: 'Znaleziono {count} wiadomość', few: 'Znaleziono {count} wiadomości', many: 'Znaleziono {count} wiadomości', other: 'Znaleziono {count} wiadomości' },
  'search.more': { one: 'Jeszcze {count}: dodaj słowo, by zawęzić wyniki.', few: 'Jeszcze {count}: dodaj słowo, by zawęzić wyniki.', many: 'Jeszcze {count}: dodaj słowo, by zawęzić wyniki.', other: 'Jeszcze {count}: dodaj słowo, by zawęzić wyniki.' },
} satisfies Messages;
