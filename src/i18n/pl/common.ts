/*
 * Słowniczek (jeden termin w całej aplikacji):
 * message — wiadomość; send — wyślij; reply — odpowiedz; react — reakcja; pin — przypnij;
 * room — pokój; invite link — link z zaproszeniem; admin — administrator; people — uczestnicy;
 * private message — prywatna wiadomość; block — zablokuj (na tym urządzeniu); mute — wycisz;
 * kick — wyrzuć; ban — zbanuj; call — rozmowa; share screen — udostępnij ekran;
 * relay — przekaźnik (TURN); safety code — kod bezpieczeństwa; storage — miejsce na dane.
 * Cudzysłów „…”, wielokropek „…”, zwracamy się do użytkownika w 2. osobie.
 */
import type { Messages } from '../messages';

export default {
  'display.language': 'Język',
  'common.save': 'Zapisz',
  'common.cancel': 'Anuluj',
  'common.delete': 'Usuń',
  'common.off': 'Wyłączone',
  'common.dismiss': 'Zamknij',
} satisfies Messages;
