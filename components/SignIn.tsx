'use client';

import { useState, type FormEvent } from 'react';

/** Signs a browser in with a bearer token (a static token or a Kubernetes service account or OIDC token). */
export function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch('/api/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      if (response.ok) {
        window.location.assign(window.location.pathname === '/login' ? '/' : window.location.href);
        return;
      }
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Sign-in failed (HTTP ${response.status}).`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-label="Sign in">
      <label htmlFor="token" className="text-sm">
        Bearer token
      </label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
      />
      <button type="submit" disabled={busy || token.trim() === ''} className="rounded bg-slate-800 px-3 py-1 text-white disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900">
        Sign in
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
