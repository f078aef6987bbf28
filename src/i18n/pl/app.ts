import type { Messages } from '../messages';

export default {
  'app.roomLoadFailed': 'Nie udało się wczytać pokoju. Sprawdź połączenie i odśwież stronę.',
  'app.updateReady': 'Nowa wersja jest gotowa.',
  'app.updateReload': 'Odśwież',
  'app.updateLater': 'Później',
  'app.updateRegion': 'Aktualizacja aplikacji',
} satisfies Messages;
