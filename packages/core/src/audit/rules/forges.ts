/** Forges and HTTP APIs pack: deleting repositories, releases and other forge objects; HTTP DELETE requests. */
import type { Cmd, Pack } from './types.js'

/** The HTTP method of a curl/wget/httpie/xh command. */
export function httpMethod(c: Cmd): string {
  if (c.name === 'http' || c.name === 'https' || c.name === 'xh' || c.name === 'curlie' || c.name === 'httpie') {
    const m = c.pos.find((x) => /^[A-Za-z]+$/.test(x) && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/i.test(x))
    if (m) return m.toUpperCase()
  }
  if (c.name === 'wget') return (c.value('--method') ?? (c.has('--post-data', '--post-file') ? 'POST' : 'GET')).toUpperCase()
  return (c.value('-X', '--request') ?? (c.has('-d', '--data', '--data-raw', '--data-binary', '-F', '--form', '--json') ? 'POST' : 'GET')).toUpperCase()
}

/** URLs among the positionals. */
export function urls(c: Cmd): string[] {
  return c.t.filter((x) => /^(https?:\/\/)?[\w.-]+(:\d+)?\/|^https?:\/\/|^localhost(:\d+)?|^:\d+/.test(x) && !x.startsWith('-'))
}

export const forges: Pack = {
  name: 'forges',
  description: 'gh/glab/tea/hub repository, release and object deletes, gh api -X DELETE, HTTP DELETE requests',
  valueFlags: {
    gh: ['-R', '--repo', '-X', '--method', '-H', '--header', '-f', '--raw-field', '-F', '--field', '--hostname', '-q', '--jq', '-t', '--template', '--input', '-L', '--limit', '-s', '--state', '-b', '--body', '--title', '-e', '--env', '-o', '--org'],
    glab: ['-R', '--repo', '-X', '--method', '-H', '--header', '-f', '--raw-field', '-F', '--field', '--hostname', '-g', '--group'],
    curl: ['-X', '--request', '-H', '--header', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '-F', '--form', '-o', '--output', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-T', '--upload-file', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '--json', '-x', '--proxy', '--cacert', '--cert', '--key', '-E', '--retry', '--resolve', '--url'],
    wget: ['-O', '--output-document', '-o', '--output-file', '--header', '--post-data', '--post-file', '--method', '--body-data', '--body-file', '-U', '--user-agent', '--user', '--password', '-P', '--directory-prefix'],
  },
  rules: [
    {
      id: 'forges.gh-delete',
      category: 'infrastructure',
      commands: ['gh', 'glab', 'tea', 'hub', 'bb', 'berg', 'fj', 'jira'],
      when: (c) => {
        const [a, b] = c.pos
        if (a === 'api') {
          const m = (c.value('-X', '--method') ?? '').toUpperCase()
          if (m === 'DELETE') return `${c.name} api -X DELETE ${c.pos[1] ?? ''}`
          if (c.t.some((x) => /mutation[\s\S]*\b(delete|remove|archive)[A-Z]\w*/.test(x))) return `${c.name} api graphql mutation deletes an object`
          return false
        }
        if (c.name === 'hub') return a === 'delete'
        if (b === 'delete' || b === 'delete-asset' || b === 'rm' || b === 'remove' || (a === 'repo' && b === 'archive')) return `${c.name} ${a} ${b}`
        if (a === 'delete') return `${c.name} delete`
        return false
      },
      reason: 'deletes a forge object',
      examples: ['gh repo delete owner/repo --yes', 'gh release delete v1.0 -y', 'gh release delete-asset v1 app.zip', 'gh api -X DELETE repos/o/r', 'gh api --method DELETE /repos/o/r/git/refs/heads/main', 'gh api -XDELETE repos/o/r/releases/1', 'gh secret delete NPM_TOKEN', 'gh run delete 123', 'gh cache delete --all', 'gh variable delete X', 'gh issue delete 12 --yes', 'glab repo delete group/project --yes', 'glab release delete v2', 'glab api -X DELETE projects/1', 'gh repo archive o/r -y', 'hub delete o/r', 'tea repo delete o/r'],
      safeExamples: ['gh repo view', 'gh pr list', 'gh api repos/o/r', 'gh release list', 'gh release create v1', 'glab mr list', 'gh api -X GET repos/o/r', 'gh issue close 12'],
    },
    {
      id: 'forges.http-delete',
      category: 'infrastructure',
      commands: ['curl', 'wget', 'http', 'https', 'xh', 'curlie', 'httpie'],
      dryRun: false,
      when: (c) => {
        if (httpMethod(c) !== 'DELETE') return false
        // Search engines are the databases pack's business.
        if (urls(c).some((u) => /:(9200|9243)\b|\/_all\b|_delete_by_query|\/_doc\//.test(u))) return false
        return `HTTP DELETE ${urls(c)[0] ?? ''}`.trim()
      },
      reason: 'an HTTP DELETE request deletes a remote resource',
      examples: ['curl -X DELETE https://api.example.com/v1/projects/42', 'curl -XDELETE -H "Authorization: Bearer $T" https://api.github.com/repos/o/r', 'curl --request DELETE https://api.cloudflare.com/client/v4/zones/z', 'http DELETE https://api.x.io/users/1', 'xh delete api.x.io/items/3', 'wget --method=DELETE https://x.io/a'],
      safeExamples: ['curl https://api.example.com', 'curl -X POST -d @data.json https://x.io', 'curl -X GET https://x.io/delete', 'http GET https://x.io/items'],
    },
  ],
}
