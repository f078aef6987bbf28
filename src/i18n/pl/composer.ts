import type { Messages } from '../messages';

export default {
  'composer.message': 'Wiadomość',
  'composer.placeholder': 'Napisz wiadomość',
  'composer.placeholderPrivate': 'Przeczyta to tylko {name}',
  'composer.send': 'Wyślij',
  'composer.attach': 'Załącz plik',
  'composer.emoji': 'Emoji',
  'composer.insertEmoji': 'Wstaw {emoji}',
  'composer.replyingTo': 'Odpowiedź dla {name}',
  'composer.cancelReply': 'Anuluj odpowiedź',
  'composer.privateTo': 'Prywatnie do {name}',
  'composer.waitingForKey': 'czekamy na klucz rozmówcy…',
  'composer.cancelPrivate': 'Zakończ rozmowę prywatną',
  'composer.waitingToSend': 'Czeka na wysłanie',
  'composer.sendingIn': 'Wysyłanie za {seconds} s…',
  'composer.sending': 'Wysyłanie…',
  'composer.waiting': {
    one: '{status} {count} wiadomość czeka w kolejce, żeby pokój zobaczył wszystkie.',
    few: '{status} {count} wiadomości czekają w kolejce, żeby pokój zobaczył wszystkie.',
    many: '{status} {count} wiadomości czeka w kolejce, żeby pokój zobaczył wszystkie.',
    other: '{status} {count} wiadomości czeka w kolejce, żeby pokój zobaczył wszystkie.',
  },
  'composer.cancelSending': 'Anuluj wysyłanie',
} satisfies Messages;
