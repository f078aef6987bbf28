/**
 * axe-core on a screen as it is now: WCAG 2.0/2.1 A and AA rules, failing the test with a readable
 * list of every serious or critical violation (rule, impact, where, and what axe says to fix).
 * One line per screen: `await expectNoSeriousViolations(page, 'room, phone width')`.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

export interface AxeOptions {
  /** Only this part of the page (a CSS selector), e.g. an open dialog. */
  readonly include?: string;
  /** Parts axe should not look at (CSS selectors), e.g. a third-party frame; say why where it is used. */
  readonly exclude?: readonly string[];
  /** Rules to leave out, by id; say why where it is used. */
  readonly disableRules?: readonly string[];
}

const SERIOUS = new Set(['serious', 'critical']);

export interface Finding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
  readonly summaries: readonly string[];
}

/** The serious and critical violations axe finds on the page now. */
export async function seriousViolations(page: Page, options: AxeOptions = {}): Promise<Finding[]> {
  let builder = new AxeBuilder({ page }).withTags([...WCAG_TAGS]);
  if (options.include !== undefined) builder = builder.include(options.include);
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
  if (options.disableRules !== undefined) builder = builder.disableRules([...options.disableRules]);
  const results = await builder.analyze();
  return results.violations
    .filter((violation) => SERIOUS.has(violation.impact ?? ''))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.map(String).join(' >>> ')),
      summaries: violation.nodes.map((node) => (node.failureSummary ?? '').replace(/\s+/g, ' ').trim()),
    }));
}

/** Formats findings as a list a person can act on. */
export function describeFindings(screenName: string, findings: readonly Finding[]): string {
  const lines = [`${screenName}: ${findings.length} serious/critical accessibility violation(s)`];
  for (const finding of findings) {
    lines.push(`- ${finding.rule} (${finding.impact}): ${finding.help}`);
    finding.targets.forEach((target, i) => lines.push(`    ${target}\n      ${finding.summaries[i] ?? ''}`));
  }
  return lines.join('\n');
}

/** Fails with the list of serious and critical WCAG 2.1 A/AA violations on `page`, if there are any. */
export async function expectNoSeriousViolations(page: Page, screenName: string, options: AxeOptions = {}): Promise<void> {
  const findings = await seriousViolations(page, options);
  if (findings.length > 0) throw new Error(describeFindings(screenName, findings));
}
