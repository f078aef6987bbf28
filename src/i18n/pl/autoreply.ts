import type { Messages } from '../messages';

/** The away auto-reply (its settings show in the room's side panel at once). */
export default {
  'autoReply.enabled': 'Automatyczna odpowiedź, gdy mnie nie ma',
  'autoReply.text': 'Treść automatycznej odpowiedzi',
  'autoReply.save': 'Zapisz automatyczną odpowiedź',
  'autoReply.empty': 'Najpierw napisz kilka słów.',
  'autoReply.what': 'Wysyłana raz, prywatnie, każdemu, kto napisze do Ciebie prywatnie pod Twoją nieobecność.',
} satisfies Messages;
