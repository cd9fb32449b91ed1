'use client';

import { setTheme, useTheme } from './useTheme';

export function ThemeToggle() {
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="btn" data-testid="theme-toggle" aria-label={`Switch to ${next} mode`} onClick={() => setTheme(next)}>
      {theme === 'dark' ? '☀ Light' : '☾ Dark'}
    </button>
  );
}
