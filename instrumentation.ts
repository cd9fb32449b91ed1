/** Runs once when the server starts: access control is set up before the first request is answered. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startAuth } = await import('@/lib/auth/startup');
  startAuth();
}
