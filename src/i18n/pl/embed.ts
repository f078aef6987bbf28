import type { Messages } from '../messages';

export default {
  'embed.launcher': 'Czat',
  'embed.launcherUnread': { one: 'Czat, {count} nowa wiadomość', few: 'Czat, {count} nowe wiadomości', many: 'Czat, {count} nowych wiadomości', other: 'Czat, {count} nowej wiadomości' },
  'embed.title': 'Napisz do nas',
  'embed.close': 'Zamknij czat',
  'embed.hours': 'Zwykle odpowiadamy w godzinach {from}–{to}',
  'embed.greeting': 'Powitanie',
  'embed.status.connecting': 'Łączenie…',
  'embed.status.offline': 'Brak połączenia',
  'embed.status.waiting': 'Nikogo teraz nie ma — zostaw wiadomość',
  'embed.status.here': { one: 'Jest tu {count} osoba', few: 'Są tu {count} osoby', many: 'Jest tu {count} osób', other: 'Jest tu {count} osoby' },
  'embed.callStart': 'Rozpocznij rozmowę',
  'embed.callJoin': 'Dołącz do rozmowy',
  'embed.removed': 'Nie możesz już pisać w tym pokoju.',
} satisfies Messages;
