import type { TranscriptWords } from '../core/transcript.js';
import { language, t } from '../i18n/i18n.svelte.js';

/** The exported transcript's own words in the UI's current language (core/transcript.ts stays free of i18n). */
export function transcriptWords(): TranscriptWords {
  return {
    lang: language.locale,
    title: (shortId) => t('room.export.title', { id: shortId }),
    exported: (isoTime) => t('room.export.exported', { time: isoTime }),
    summary: (isoTime, count) => t('room.export.summary', { time: isoTime, count }),
    edited: t('room.export.edited'),
    privateTo: (nick, to) => t('room.export.privateTo', { name: nick, to }),
    privateToYou: (nick) => t('room.export.privateToYou', { name: nick }),
  };
}
