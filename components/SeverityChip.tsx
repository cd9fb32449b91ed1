import type { Severity } from '@/lib/diagnose/types';

/**
 * Tailwind classes per severity. Borders use the shared palette (theme colours `sev-*`); text and chips use the
 * shade of the same hue that keeps WCAG AA contrast (4.5:1) on the light and the dark background.
 * Literal for Tailwind's scanner.
 */
export const SEVERITY_CLASSES: Record<Severity, { chip: string; text: string; border: string }> = {
  critical: { chip: 'bg-red-700 text-white', text: 'text-red-700 dark:text-red-400', border: 'border-sev-critical' },
  warning: { chip: 'bg-amber-800 text-white', text: 'text-amber-800 dark:text-amber-400', border: 'border-sev-warning' },
  info: { chip: 'bg-blue-700 text-white', text: 'text-blue-700 dark:text-blue-400', border: 'border-sev-info' },
};

export const SEVERITY_ICON: Record<Severity, string> = { critical: '✖', warning: '⚠', info: 'ℹ' };

export function SeverityChip({ severity }: { severity: Severity }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-semibold ${SEVERITY_CLASSES[severity].chip}`}>
      <span aria-hidden>{SEVERITY_ICON[severity]}</span>
      {severity}
    </span>
  );
}
