/** Every area file of this locale, merged; loaded only when the locale is chosen (i18n.svelte.ts). */
import type { Messages } from '../messages';

const areas = import.meta.glob<Messages>(['./*.ts', '!./index.ts'], { eager: true, import: 'default' });

export default Object.assign({}, ...Object.values(areas)) as Messages;
