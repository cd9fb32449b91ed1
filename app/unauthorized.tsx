import { SignInPanel } from './_auth/SignInPanel';

export default function Unauthorized() {
  return <SignInPanel title="Sign in to Tunnelscope" />;
}
