export { listAudit, recordAudit, type AuditEntry, type AuditResult } from "./audit";
export { readBearerToken, readCookie, serializeClearedSessionCookie, serializeSessionCookie, SESSION_COOKIE_NAME } from "./cookies";
export { authenticateRequest, type Authentication, type RequestCredentials } from "./credentials";
export { DUMMY_PASSWORD_HASH, explainWeakPassword, hashPassword, PASSWORD_HASH_OPTIONS, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from "./password";
export { createLoginThrottle, DEFAULT_LOGIN_THROTTLE, LOCKOUT_POLICY, type LoginThrottle, type LoginThrottleOptions } from "./rate-limit";
export { hasRole, lowerRole, ROLES, rolesBelow, type Role } from "./roles";
export { createSession, DEFAULT_SESSION_POLICY, deleteExpiredSessions, invalidateSession, invalidateUserSessions, validateSessionToken, type SessionPolicy } from "./sessions";
export { INVALID_CREDENTIALS_MESSAGE, signIn, signOut, type SignedIn, type SignInInput } from "./sign-in";
export { API_TOKEN_PREFIX, authenticateApiToken, createApiToken, listApiTokens, revokeApiToken, type ApiTokenSummary, type CreateApiTokenInput } from "./tokens";
export { actorOf, type AuthContext, type Caller } from "./types";
export {
  BOOTSTRAP_ADMIN_USERNAME,
  createUser,
  deleteUser,
  ensureBootstrapAdmin,
  explainInvalidUsername,
  listUsers,
  normalizeUsername,
  resetUserPassword,
  setUserDisabled,
  setUserRole,
  type UserSummary,
} from "./users";
