import type { Metadata } from 'next';
import { SignInPanel } from '../_auth/SignInPanel';

export const metadata: Metadata = { title: 'Sign in · Tunnelscope' };
export const dynamic = 'force-dynamic';

/** Open to everyone: where a browser signs in. */
export default function LoginPage() {
  return <SignInPanel title="Sign in to Tunnelscope" />;
}
