/** Roles of the console (SPEC §9): viewers read, operators run lifecycle actions, admins manage users, tokens and settings. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a caller holding `actual` may do what needs `required`. */
export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

/** The smaller of two roles: a token never acts above its owner's current role. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Roles strictly below `role`, lowest first (the denied cases of a procedure needing `role`). */
export function rolesBelow(role: Role): Role[] {
  return ROLES.filter((candidate) => RANK[candidate] < RANK[role]);
}
