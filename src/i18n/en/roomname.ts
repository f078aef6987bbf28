import type { Messages } from '../messages';

export default {
  'roomname.label': "Room name",
  'roomname.hint': "Everyone in the room sees it. Leave it empty for no name.",
  'roomname.save': "Save name",
  'roomname.saved': "Name saved",
  'roomname.inTitle': "Show the room name in the tab title (tab titles are kept in your browser history)",
} satisfies Messages;
