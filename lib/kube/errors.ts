/** API errors as one line a user can act on: what was refused, and the Status message the API server gave. */
import { ApiException } from '@kubernetes/client-node';

/** The request Tunnelscope was making, for the message: `list nodes`, `create pods/exec in tunnelscope`. */
export interface KubeAction {
  verb: string;
  resource: string;
  namespace?: string;
}

function statusMessage(body: unknown): string | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() || undefined;
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return undefined;
}

export function actionText(action: KubeAction): string {
  return `${action.verb} ${action.resource}${action.namespace ? ` in namespace ${action.namespace}` : ''}`;
}

/** The WebSocket layer rejects with an ErrorEvent, which is no Error but has a message. */
function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return String(error);
}

/** HTTP status of an error from the client library (REST calls and the exec upgrade), when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const match = /Unexpected server response: (\d{3})/.exec(messageOf(error));
  return match ? Number(match[1]) : undefined;
}

export function describeKubeError(error: unknown, action: KubeAction): string {
  const code = httpStatusOf(error);
  const detail = error instanceof ApiException ? statusMessage(error.body) : undefined;
  const suffix = detail ? `: ${detail}` : '';
  if (code === 401) return `the API server did not accept the credentials of this kubeconfig (401) while trying to ${actionText(action)}${suffix}`;
  if (code === 403) return `RBAC refused: the account may not ${actionText(action)} (missing verb "${action.verb}" on "${action.resource}")${suffix}`;
  if (code === 404) return `not found while trying to ${actionText(action)}${suffix}`;
  if (code !== undefined) return `the API server answered ${code} while trying to ${actionText(action)}${suffix}`;
  const message = messageOf(error);
  return `could not ${actionText(action)}: ${message.split('\n')[0]}`;
}

/** 429, 5xx and dropped connections are worth another try; a refusal is not. */
export function isTransient(error: unknown): boolean {
  const code = httpStatusOf(error);
  if (code !== undefined) return code === 429 || code >= 500;
  const code2 = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  const message = `${messageOf(error)} ${code2}`;
  return /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|ETIMEDOUT/.test(message);
}

export class KubeError extends Error {}

/** Runs a call, retrying transient failures with backoff; other failures become a KubeError naming the action. */
export async function withRetries<T>(action: KubeAction, call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw new KubeError(describeKubeError(error, action));
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
    }
  }
}
