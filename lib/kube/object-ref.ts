/**
 * `NAMESPACE/NAME` of a namespaced object, checked as Kubernetes checks names (RFC 1123): a namespace is a DNS
 * label, a Secret's or ConfigMap's name a DNS subdomain. The dashboard's form and the server's validation agree.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const OBJECT_REF_MAX = 63 + 1 + 253;

export function isObjectRef(ref: string): boolean {
  const [namespace = '', name = '', ...rest] = ref.split('/');
  return rest.length === 0 && DNS_LABEL.test(namespace) && name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function objectRefRule(kind: string): string {
  return `names a ${kind} as NAMESPACE/NAME: lowercase letters, digits and '-' (the name may also hold '.')`;
}

/** A login name as useradd takes it by default. */
export const SSH_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
