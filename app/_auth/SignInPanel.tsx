import { SignIn } from '@/components/SignIn';
import { authConfig } from '@/lib/auth/server';

const HOW: Record<string, string> = {
  none: 'This server has no sign-in.',
  token: 'Paste the bearer token an admin gave you.',
  kubernetes: 'Paste a Kubernetes token (for example from kubectl create token, or your OIDC id-token); the cluster decides what you may do.',
  proxy: 'This server is signed in to through its authenticating proxy: open it through the proxy.',
};

export function SignInPanel({ title }: { title: string }) {
  const { mode } = authConfig();
  return (
    <div className="mx-auto mt-16 max-w-md rounded border border-slate-200 p-4 dark:border-slate-800">
      <h1 className="mb-2 font-semibold">{title}</h1>
      <p className="mb-3 text-sm">{HOW[mode]}</p>
      {(mode === 'token' || mode === 'kubernetes') && <SignIn />}
    </div>
  );
}
