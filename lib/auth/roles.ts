/** Roles grow: an admin may do what a collector may, a collector what a viewer may. */
export const ROLES = ['viewer', 'collector', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role adds, as the issue and the README word it. */
export const ROLE_GRANTS: Record<Role, string> = {
  viewer: 'snapshots, embeds, exports',
  collector: 'collections, the live view, new snapshots, share links',
  admin: 'deleting snapshots, the audit log',
};

export function rank(role: Role | null): number {
  return role === null ? -1 : ROLES.indexOf(role);
}

export function allows(held: Role | null, needed: Role): boolean {
  return rank(held) >= rank(needed);
}

/** The highest role any of the person's groups is given; "*" in a role's list means every signed-in person. */
export function roleForGroups(groups: readonly string[], roleGroups: Readonly<Record<Role, readonly string[]>>): Role | null {
  for (const role of [...ROLES].reverse()) {
    const granted = roleGroups[role];
    if (granted.includes('*') || groups.some((g) => granted.includes(g))) return role;
  }
  return null;
}

export function higher(a: Role | null, b: Role | null): Role | null {
  return rank(a) >= rank(b) ? a : b;
}
