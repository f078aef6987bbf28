/**
 * When the room uses its phone layout: the conversation takes the whole screen and the side panel
 * (people, your card, settings) becomes a drawer opened from the header. Narrow screens, and short
 * ones (a phone held sideways is 844×390: a 17rem side column would leave the conversation a strip).
 */
export const PHONE_QUERY = '(max-width: 720px), (max-height: 500px) and (max-width: 950px)';
