import { createClient } from '@claude-sessions/api/client'
import { webTransport } from './transport.js'

/** The typed API client, in the page: same origin, the login cookie, paths under `/api`. */
export const api = createClient({ baseUrl: window.location.origin, transport: webTransport })
