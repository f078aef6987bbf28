import type { Messages } from '../messages';

export default {
  'diagnostics.what': 'Co to urządzenie odrzuciło z sieci i ze swojej pamięci oraz co ukrywa. Urządzenie każdego uczciwego uczestnika robi to samo.',
  'diagnostics.drops': 'Odrzucone dane',
  'diagnostics.nothingDropped': 'Nic nie odrzucono.',
  'diagnostics.connections': 'Próby połączenia',
  'diagnostics.noConnections': 'Nie było jeszcze prób połączenia.',
  'diagnostics.transfers': 'Przesyłanie plików',
  'diagnostics.hidden': 'Ukryte wiadomości',
  'diagnostics.hiddenReason': 'ukryte: {reason}',
} satisfies Messages;
