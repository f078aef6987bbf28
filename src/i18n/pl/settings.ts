import type { Messages } from '../messages';

export default {
  'settings.relayOnly': 'Ukryj mój adres IP (tylko przez przekaźnik)',
  'settings.relayOnlyWhat': 'Cały ruch idzie przez przekaźnik tego serwera, więc inni widzą jego adres zamiast Twojego. Działa to wolniej, a operator przekaźnika widzi, ile i do kogo wysyłasz (nigdy co: wszystko pozostaje zaszyfrowane end-to-end). Osoby, które były już połączone, mogły poznać Twój adres, zanim to włączyłeś.',
  'settings.relayOnlyUnavailable': 'Niedostępne tutaj: ten serwer nie ma skonfigurowanego przekaźnika (TURN), więc z ukrytym adresem nie połączysz się z nikim.',
  'settings.relayOnlyStuck': 'Opcja jest włączona z wcześniej, więc nie połączysz się tutaj, dopóki jej nie wyłączysz.',
  'settings.shortcutsHint': 'Wpisz {name}, a potem naciśnij {tab} w polu wiadomości, żeby wstawić tekst. Zapisane tylko na tym urządzeniu.',
  'settings.shortcuts': 'Szybkie odpowiedzi',
  'settings.shortcutRemove': 'Usuń',
  'settings.shortcutRemoveName': 'Usuń /{name}',
  'settings.shortcutName': 'Nazwa skrótu',
  'settings.shortcutNamePlaceholder': 'witaj',
  'settings.shortcutText': 'Tekst skrótu',
  'settings.shortcutTextPlaceholder': 'Cześć! Dzięki za wiadomość.',
  'settings.shortcutProblem': 'W nazwie użyj liter, cyfr, „-” lub „_” (bez spacji) i dodaj jakiś tekst.',
  'settings.shortcutAdd': 'Dodaj skrót',
} satisfies Messages;
