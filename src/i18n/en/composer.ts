import type { Messages } from '../messages';

export default {
  'composer.message': 'Message',
  'composer.placeholder': 'Write a message',
  'composer.placeholderPrivate': 'Only {name} will read this',
  'composer.send': 'Send',
  'composer.attach': 'Attach file',
  'composer.emoji': 'Emoji',
  'composer.insertEmoji': 'Insert {emoji}',
  'composer.replyingTo': 'Replying to {name}',
  'composer.cancelReply': 'Cancel reply',
  'composer.privateTo': 'Private to {name}',
  'composer.waitingForKey': 'waiting for their key…',
  'composer.cancelPrivate': 'Cancel private',
  'composer.waitingToSend': 'Waiting to send',
  'composer.sendingIn': 'Sending in {seconds} s…',
  'composer.sending': 'Sending…',
  'composer.waiting': {
    one: '{status} {count} message waits so the room shows them all.',
    other: '{status} {count} messages wait so the room shows them all.',
  },
  'composer.cancelSending': 'Cancel sending',
} satisfies Messages;
