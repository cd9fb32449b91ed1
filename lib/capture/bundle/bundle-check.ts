/**
 * The fast, in-place check of a bundle's hosts. A big capture holds hundreds of thousands of command records;
 * the schema validates them by building a copy of every one. This check only reads them and answers yes when a
 * host is exactly what the schema accepts and returns unchanged: known keys only, every type and limit met.
 * Anything else (an unknown key, a wrong type, a limit passed) answers no, and the schema then validates the
 * bundle and says what is wrong. So it may only be stricter than the schema, never looser (tests hold the two
 * together on mutated bundles).
 */
import { CATALOG } from '../catalog';
import type { HostCapture } from '../types';
import { BUNDLE_LIMITS } from './limits';

const COMMAND_IDS: ReadonlySet<string> = new Set(CATALOG.map((e) => e.id));
const RECORD_KEYS: ReadonlySet<string> = new Set(['id', 'argv', 'params', 'stdout', 'stderr', 'exitCode', 'durationMs', 'status', 'format', 'truncated']);
const HOST_KEYS: ReadonlySet<string> = new Set(['name', 'role', 'collectedAt', 'status', 'error', 'namespaces']);
const NAMESPACE_KEYS: ReadonlySet<string> = new Set(['netns', 'commands']);
const RECORD_STATUSES: ReadonlySet<unknown> = new Set(['ok', 'error', 'missing-tool', 'timeout']);
const FORMATS: ReadonlySet<unknown> = new Set(['json', 'text']);
const ROLES: ReadonlySet<unknown> = new Set(['worker', 'podvm', 'node', 'unknown']);
const HOST_STATUSES: ReadonlySet<unknown> = new Set(['complete', 'partial', 'failed']);

type Plain = Record<string, unknown>;

/** An object made by JSON.parse or a literal, whose keys are all in `allowed` (none holding undefined). */
function plainWithKeys(value: unknown, allowed: ReadonlySet<string>): value is Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (!allowed.has(key) || (value as Plain)[key] === undefined) return false;
  }
  return true;
}

function text(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length <= max;
}

function stringList(value: unknown, maxItems: number, maxChars: number): boolean {
  if (!Array.isArray(value) || value.length > maxItems) return false;
  for (const item of value) if (!text(item, maxChars)) return false;
  return true;
}

function params(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (key.length > 256 || key === '__proto__' || !text((value as Plain)[key], BUNDLE_LIMITS.argChars)) return false;
  }
  return true;
}

function record(value: unknown): boolean {
  if (!plainWithKeys(value, RECORD_KEYS)) return false;
  const { exitCode, durationMs, truncated } = value;
  return (
    typeof value.id === 'string' &&
    COMMAND_IDS.has(value.id) &&
    stringList(value.argv, BUNDLE_LIMITS.argvItems, BUNDLE_LIMITS.argChars) &&
    params(value.params) &&
    text(value.stdout, BUNDLE_LIMITS.stdoutChars) &&
    text(value.stderr, BUNDLE_LIMITS.stderrChars) &&
    (exitCode === null || Number.isInteger(exitCode)) &&
    typeof durationMs === 'number' &&
    Number.isFinite(durationMs) &&
    durationMs >= 0 &&
    RECORD_STATUSES.has(value.status) &&
    FORMATS.has(value.format) &&
    (truncated === undefined || typeof truncated === 'boolean')
  );
}

function namespace(value: unknown): boolean {
  if (!plainWithKeys(value, NAMESPACE_KEYS)) return false;
  if (value.netns !== null && !text(value.netns, BUNDLE_LIMITS.nameChars)) return false;
  const commands = value.commands;
  if (!Array.isArray(commands) || commands.length > BUNDLE_LIMITS.commandsPerNamespace) return false;
  for (const command of commands) if (!record(command)) return false;
  return true;
}

/** True when the schema would accept this host and return it unchanged. */
export function isExactHost(value: unknown): value is HostCapture {
  if (!plainWithKeys(value, HOST_KEYS)) return false;
  if (!text(value.name, BUNDLE_LIMITS.nameChars) || !ROLES.has(value.role) || !text(value.collectedAt, 64) || !HOST_STATUSES.has(value.status)) return false;
  if (value.error !== undefined && !text(value.error, BUNDLE_LIMITS.stderrChars)) return false;
  const namespaces = value.namespaces;
  if (!Array.isArray(namespaces) || namespaces.length > BUNDLE_LIMITS.namespacesPerHost) return false;
  for (const ns of namespaces) if (!namespace(ns)) return false;
  return true;
}
