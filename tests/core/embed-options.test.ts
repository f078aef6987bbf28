// What a host page asks of the embedded room travels in the frame's fragment: each field is checked
// on arrival, a bad one dropped, and without a valid host origin there is no embedding at all.
import { describe, expect, it } from 'vitest';
import { MAX_GREETING_CHARS, formatEmbedParam, parseAccent, parseEmbedParam, parseHoursRange, parseOrigin, parsePlainText, parseTimeZone, type EmbedOptions } from '../../src/core/embed-options';
import { toBase64Url, utf8 } from '../../src/crypto/encoding';
import { parseInviteFragment } from '../../src/core/invite-link';
import { workingHoursToday } from '../../src/core/working-hours';

const raw = (value: unknown): string => `#k=x&embed=${toBase64Url(utf8(JSON.stringify(value)))}`;

describe('embed options', () => {
  it('round-trips through the fragment beside an invite, which still parses', () => {
    const options: EmbedOptions = { host: 'https://shop.example', calls: true, greeting: 'Привет! 👋 こんにちは', hours: { fromMinutes: 540, toMinutes: 1080, zone: 'Europe/Warsaw' }, accent: '#c2410c', lang: 'fa' };
    const invite = `#k=${'A'.repeat(43)}`;
    const hash = `${invite}&embed=${formatEmbedParam(options)}`;
    expect(parseEmbedParam(hash)).toEqual(options);
    expect(parseInviteFragment(hash)).not.toBeNull();
  });

  it('keeps the largest valid options within the invite fragment limit (2048 characters)', () => {
    const options: EmbedOptions = { host: `https://${'a'.repeat(60)}.example`, calls: true, greeting: '漢'.repeat(MAX_GREETING_CHARS), hours: { fromMinutes: 0, toMinutes: 1440, zone: 'America/North_Dakota/New_Salem' }, accent: 'oklch(62.5% 0.19 255.5 / 0.9)', lang: 'ja' };
    const hash = `#k=${'A'.repeat(43)}&a=${'B'.repeat(43)}&embed=${formatEmbedParam(options)}`;
    expect(hash.length).toBeLessThanOrEqual(2048);
    expect(parseEmbedParam(hash)).toEqual(options);
  });

  it('is absent without a valid host origin, twice given, oversized, or not base64url JSON', () => {
    expect(parseEmbedParam('#k=x')).toBeNull();
    expect(parseEmbedParam(raw({ greeting: 'hi' }))).toBeNull();
    expect(parseEmbedParam(raw({ host: '*' }))).toBeNull();
    expect(parseEmbedParam(raw({ host: 'https://shop.example/path' }))).toBeNull();
    expect(parseEmbedParam(`${raw({ host: 'https://a.example' })}&embed=${formatEmbedParam({ host: 'https://b.example', calls: false })}`)).toBeNull();
    expect(parseEmbedParam(raw({ host: 'https://shop.example', greeting: 'x'.repeat(5000) }))).toBeNull();
    expect(parseEmbedParam('#embed=!!!!')).toBeNull();
    expect(parseEmbedParam(`#embed=${toBase64Url(utf8('[1,2]'))}`)).toBeNull();
    expect(parseEmbedParam(`#embed=${toBase64Url(new Uint8Array([0xff, 0xfe]))}`)).toBeNull();
  });

  it('drops each bad field and keeps the rest', () => {
    const options = parseEmbedParam(raw({ host: 'https://shop.example', calls: 'yes', greeting: 'x'.repeat(MAX_GREETING_CHARS + 1), hours: { fromMinutes: 540, toMinutes: 99999 }, accent: 'red; background: url(//evil)', lang: 'xx', extra: 1 }));
    expect(options).toEqual({ host: 'https://shop.example', calls: false });
  });

  it('reads origins strictly', () => {
    expect(parseOrigin('http://localhost:1234')).toBe('http://localhost:1234');
    for (const bad of ['https://a.example/', 'https://*.a.example', 'null', 'file:///x', 'https://a.example:443', 42]) expect(parseOrigin(bad)).toBeNull();
  });

  it('shows host texts as plain text: control characters removed, bounded, never empty', () => {
    expect(parsePlainText('  Hi\u0000 there\r\nHow can we help?\u202e ', 200)).toBe('Hi there\nHow can we help?\u202e');
    expect(parsePlainText('   ', 200)).toBeNull();
    expect(parsePlainText('👋'.repeat(200), 200)).toBe('👋'.repeat(200));
    expect(parsePlainText('👋'.repeat(201), 200)).toBeNull();
    expect(parsePlainText({ toString: () => 'hi' }, 200)).toBeNull();
  });

  it('accepts colours by shape only', () => {
    for (const good of ['#c2410c', '#abc', '#11223344', 'rgb(194 65 12)', 'hsl(20, 90%, 40%)', 'oklch(62.5% 0.19 255.5 / 0.9)', 'teal']) expect(parseAccent(good)).toBe(good);
    for (const bad of ['red;x:y', 'url(javascript:1)', 'expression(alert(1))', 'var(--x)', '#ggg', 'rgb(1 2 3) !important', `#${'a'.repeat(60)}`, '', 7]) expect(parseAccent(bad)).toBeNull();
  });

  it('reads working hours as a 24-hour range and zones the runtime knows', () => {
    expect(parseHoursRange('9-18')).toEqual({ fromMinutes: 540, toMinutes: 1080 });
    expect(parseHoursRange('09:30 – 17:45')).toEqual({ fromMinutes: 570, toMinutes: 1065 });
    expect(parseHoursRange('22-6')).toEqual({ fromMinutes: 1320, toMinutes: 360 });
    for (const bad of ['9', '9-9', '25-26', '9:60-18', '9am-6pm', '9-18; x', '']) expect(parseHoursRange(bad)).toBeNull();
    expect(parseTimeZone('Europe/Warsaw')).toBe('Europe/Warsaw');
    expect(parseTimeZone('Mars/Olympus')).toBeNull();
    expect(parseTimeZone('../../etc')).toBeNull();
  });

  it('converts working hours into the visitor\'s day: 9–18 in Warsaw is 3–12 in New York in winter', () => {
    const now = Date.UTC(2026, 0, 15, 12, 0);
    const { from, to } = workingHoursToday({ fromMinutes: 540, toMinutes: 1080, zone: 'Europe/Warsaw' }, now, 'America/New_York');
    expect(new Date(from).toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(new Date(to).toISOString()).toBe('2026-01-15T17:00:00.000Z');
    const clock = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'America/New_York' });
    expect([clock.format(from), clock.format(to)]).toEqual(['3:00 AM', '12:00 PM']);
    // In summer (CEST, UTC+2), and without a zone, in the visitor's own.
    expect(new Date(workingHoursToday({ fromMinutes: 540, toMinutes: 1080, zone: 'Europe/Warsaw' }, Date.UTC(2026, 6, 1, 12), 'UTC').from).toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(new Date(workingHoursToday({ fromMinutes: 540, toMinutes: 1080 }, Date.UTC(2026, 6, 1, 12), 'Asia/Tokyo').from).toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });
});
