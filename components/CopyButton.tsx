'use client';

import { useState } from 'react';

export function CopyButton({ text, label, testId }: { text: string | (() => string); label: string; testId?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    const value = typeof text === 'function' ? text() : text;
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
    setTimeout(() => setCopied(null), 1500);
  }
  return (
    <button type="button" className="btn" data-testid={testId} onClick={() => void copy()}>
      {copied === 'yes' ? '✓ Copied' : copied === 'no' ? 'Copy failed' : label}
      <span className="sr-only" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard' : ''}
      </span>
    </button>
  );
}
