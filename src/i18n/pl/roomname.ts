import type { Messages } from '../messages';

export default {
  'roomname.label': "Nazwa pokoju",
  'roomname.hint': "Zobaczą ją wszyscy w pokoju. Zostaw pole puste, aby usunąć nazwę.",
  'roomname.save': "Zapisz nazwę",
  'roomname.saved': "Nazwa zapisana",
  'roomname.inTitle': "Pokazuj nazwę pokoju w tytule karty (tytuły kart trafiają do historii przeglądarki)",
} satisfies Messages;
