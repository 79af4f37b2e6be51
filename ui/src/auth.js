// Session state of the signed-in user, kept in memory only.
//
// The session itself is the HttpOnly cookie `fz_session`; nothing sensitive is
// written to localStorage. `csrf_token` comes from the login answer and from
// GET /api/auth/me (called once at start by the router guard) and is handed to
// api.js, which sends it as X-CSRF-Token on unsafe requests.
import { reactive } from 'vue'
import { get, post, setCsrfToken } from './api.js'

export const auth = reactive({
  loaded: false, // GET /api/auth/me has been tried
  user: null, // User object (see docs/identity.md), null when signed out
  roles: [], // [{ key, name }]
  permissions: [], // permission strings
  mustChangePassword: false,
  // The security policy requires TOTP for one of the user's roles and it is
  // not enabled yet: only the TOTP page (and password change) can be used.
  totpSetupRequired: false,
})

const ALL = '*:*:*'

export function hasPerm(p) {
  if (!p) return true
  const perms = auth.permissions || []
  return perms.includes(ALL) || perms.includes(p)
}

export function isSignedIn() {
  return !!auth.user
}

function apply(me) {
  auth.user = me.user || null
  auth.roles = Array.isArray(me.roles) ? me.roles : []
  auth.permissions = Array.isArray(me.permissions) ? me.permissions : []
  const must = me.must_change_password ?? (me.user && me.user.must_change_password)
  auth.mustChangePassword = !!must
  auth.totpSetupRequired = !!me.totp_setup_required
  if (me.csrf_token) setCsrfToken(me.csrf_token)
}

export function clearAuth() {
  auth.user = null
  auth.roles = []
  auth.permissions = []
  auth.mustChangePassword = false
  auth.totpSetupRequired = false
  setCsrfToken('')
}

// Loads the current user. Resolves to true when signed in, false otherwise.
export async function loadMe() {
  try {
    const me = await get('/api/auth/me', { silent: true, noAuthRedirect: true })
    apply(me || {})
    return !!auth.user
  } catch (e) {
    clearAuth()
    if (e && e.status !== 401) throw e
    return false
  } finally {
    auth.loaded = true
  }
}

// Signs in. Rejects with the ApiError of the login call (bad_credentials,
// totp_required, locked, too_many_requests …) for the login page to show.
export async function login(username, password, totp) {
  const body = { username, password }
  if (totp) body.totp = totp
  const r = await post('/api/auth/login', body, { silent: true, noAuthRedirect: true })
  if (r && r.csrf_token) setCsrfToken(r.csrf_token)
  if (r && r.user) {
    auth.user = r.user
    auth.mustChangePassword = !!r.user.must_change_password
  }
  // Roles and permissions come from /me.
  await loadMe()
  return auth.user
}

export async function logout() {
  try {
    await post('/api/auth/logout', undefined, { silent: true, noAuthRedirect: true })
  } catch {
    // The session may already be gone; signing out locally is what matters.
  }
  clearAuth()
}

export async function changePassword(oldPassword, newPassword) {
  await post('/api/auth/password', { old_password: oldPassword, new_password: newPassword }, { silent: true, noAuthRedirect: true })
  auth.mustChangePassword = false
  if (auth.user) auth.user = { ...auth.user, must_change_password: false }
  // Refresh permissions (and the CSRF token, should the server rotate it). A
  // server that ends the session on a password change leaves us signed out.
  try {
    await loadMe()
  } catch {
    // keep the local state; the next request tells
  }
  return !!auth.user
}
