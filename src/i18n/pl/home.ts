import type { Messages } from '../messages';

export default {
  'home.tagline': 'Prywatne pokoje czatu, które żyją w Twojej przeglądarce. Bez konta, bez numeru telefonu, bez serwera, który mógłby przeczytać rozmowę.',
  'home.badLink': 'Ten link z zaproszeniem jest niepełny lub uszkodzony. Poproś o niego jeszcze raz albo utwórz nowy pokój.',
  'home.create': 'Utwórz pokój',
  'home.createError': 'Nie udało się utworzyć pokoju: przeglądarka nie pozwoliła zapisać jego kluczy (może to tryb prywatny z wyłączonym zapisem danych?).',
  'home.hint': 'Dostaniesz link do udostępnienia. Każdy, kto go ma, jest w pokoju.',
  'home.recent': 'Ostatnie pokoje',
  'home.unnamedRoom': 'Pokój {id}',
  'home.forget': 'Zapomnij',
  'home.forgetRoom': 'Opuść i zapomnij: {name}',
  'home.display': 'Wygląd',
} satisfies Messages;
