import type { Messages } from '../messages';

export default {
  'notices.label': 'Powiadomienia',
  'notices.flood': {
    one: '{name} pisze za szybko; ukryto wiadomość.',
    few: '{name} pisze za szybko; ukryto {count} wiadomości.',
    many: '{name} pisze za szybko; ukryto {count} wiadomości.',
    other: '{name} pisze za szybko; ukryto {count} wiadomości.',
  },
  'notices.muted': 'Administrator wyciszył Cię do {time}.',
  'notices.newKey': 'Po banie pokój przeszedł na nowy klucz: starsze linki z zaproszeniem już do niego nie prowadzą. Aktualny link daje przycisk „Kopiuj link z zaproszeniem”.',
  'notices.slowMode': {
    one: 'Tryb powolny: jedna wiadomość co {count} sekundę.',
    few: 'Tryb powolny: jedna wiadomość co {count} sekundy.',
    many: 'Tryb powolny: jedna wiadomość co {count} sekund.',
    other: 'Tryb powolny: jedna wiadomość co {count} sekundy.',
  },
} satisfies Messages;
