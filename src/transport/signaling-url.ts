/** The signaling endpoint of the node that served this page: same host, ws(s) matching the page's scheme. */
export function signalingUrlFor(page: { protocol: string; host: string }): string {
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/signal`;
}
