/** What a chosen file becomes before it is sent: a name every member accepts, and a type. */
import { describe, expect, it } from 'vitest';
import { isValidFileName, MAX_FILE_NAME_CHARS } from '../../src/core/file-manifest.js';
import { fileTypeOf, safeFileName } from '../../src/state/file-prepare.js';

describe('file preparation', () => {
  it('makes every name one that peers accept, keeping what it can', () => {
    const names = ['report.pdf', 'گزارش سالانه ۱۴۰۳.pdf', '写真 2026.jpg', '../../etc/passwd', 'a\\b.txt', 'evil\u202Egnp.exe', 'line\nbreak.txt', '   ', '.', '..', '😀'.repeat(200), 'x'.repeat(400)];
    for (const name of names) {
      const safe = safeFileName(name);
      expect(isValidFileName(safe), JSON.stringify(name)).toBe(true);
      expect(safe.length).toBeLessThanOrEqual(MAX_FILE_NAME_CHARS);
    }
    expect(safeFileName('report.pdf')).toBe('report.pdf');
    expect(safeFileName('گزارش سالانه ۱۴۰۳.pdf')).toBe('گزارش سالانه ۱۴۰۳.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('evil\u202Egnp.exe')).toBe('evil_gnp.exe');
    expect(safeFileName('   ')).toBe('file');
    // Cut at whole code points: no lone surrogate at the end.
    expect([...safeFileName('😀'.repeat(200))].every((char) => char === '😀')).toBe(true);
  });

  it('takes the browser’s type when it is well formed, else application/octet-stream', () => {
    expect(fileTypeOf({ type: 'image/PNG' })).toBe('image/png');
    expect(fileTypeOf({ type: 'text/plain; charset=utf-8' })).toBe('text/plain');
    expect(fileTypeOf({ type: '' })).toBe('application/octet-stream');
    expect(fileTypeOf({ type: 'not a type' })).toBe('application/octet-stream');
  });
});
