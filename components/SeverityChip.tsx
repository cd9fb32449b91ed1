import type { Severity } from '@/lib/diagnose/types';

/** Tailwind classes per severity, from the shared palette (theme colours `sev-*`). Literal for Tailwind's scanner. */
export const SEVERITY_CLASSES: Record<Severity, { chip: string; text: string; border: string }> = {
  critical: { chip: 'bg-sev-critical text-white', text: 'text-sev-critical', border: 'border-sev-critical' },
  warning: { chip: 'bg-sev-warning text-white', text: 'text-sev-warning', border: 'border-sev-warning' },
  info: { chip: 'bg-sev-info text-white', text: 'text-sev-info', border: 'border-sev-info' },
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
