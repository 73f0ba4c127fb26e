import { fetchTransport, type Transport } from '@claude-sessions/api/client'

/** The API's routes live under `/api` on the web port. */
const underApi = (url: URL): URL => new URL(`/api${url.pathname}${url.search}`, url.origin)

/** The header every state change needs besides JSON (a cross-site form can send neither). */
export const WEB_HEADERS = { 'x-sm-web': '1' } as const

/**
 * The typed API client's transport in the page: `fetch` with the login cookie (same origin),
 * paths under `/api`, the `X-SM-Web` header and a JSON content type on every state change.
 */
export const webTransport: Transport = {
  // every state change is JSON (a body-less DELETE too): the server refuses any other type
  request: (req) =>
    fetchTransport.request({
      ...req,
      url: underApi(req.url),
      headers: { ...req.headers, ...WEB_HEADERS, ...(req.method !== 'GET' ? { 'content-type': 'application/json' } : {}) },
    }),
  stream: (url, headers, onEvent) => fetchTransport.stream(underApi(url), { ...headers, ...WEB_HEADERS }, onEvent),
}
