/**
 * When the room uses its phone layout: the conversation takes the whole screen and the side panel
 * (people, your card, settings) becomes a drawer opened from the header. Narrow screens (up to
 * 720 px), and short ones up to 950 px wide: a phone held sideways (844×390, 932×430) would leave
 * the conversation a strip beside a 17rem column, while a tablet (1024 px and up) keeps the column
 * even with its keyboard up. CSS repeats this query where it cannot import it (global.css for
 * touch targets, CallArea and FileCard).
 */
export const PHONE_QUERY = '(max-width: 720px), (max-height: 500px) and (max-width: 950px)';
