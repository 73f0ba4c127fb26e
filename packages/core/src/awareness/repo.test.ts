import { describe, expect, it } from 'vitest'
import { normalizeGitRemote, parseGitConfigRemotes, primaryRemote, sameRepo, type RepoIdentity } from './repo.js'

describe('normalizeGitRemote', () => {
  it('gives one form for the SSH, HTTPS and git forms of a repository', () => {
    const forms = [
      'git@github.com:octo/widgets.git',
      'git@github.com:octo/widgets',
      'git@github.com:/octo/widgets.git',
      'github.com:octo/widgets.git',
      'ssh://git@github.com/octo/widgets.git',
      'ssh://git@github.com:22/octo/widgets',
      'ssh://github.com/octo/widgets/',
      'git+ssh://git@github.com/octo/widgets.git',
      'https://github.com/octo/widgets',
      'https://github.com/octo/widgets.git',
      'https://github.com/octo/widgets.git/',
      'https://github.com/octo/widgets/',
      'http://github.com/octo/widgets',
      'https://user:pass@github.com/octo/widgets.git',
      'https://x-access-token:ghp_abc@github.com/octo/widgets',
      'https://GitHub.COM/Octo/Widgets.git',
      'git://github.com/octo/widgets.git',
      '  https://github.com/octo/widgets  ',
    ]
    for (const url of forms) expect(normalizeGitRemote(url), url).toBe('github.com/octo/widgets')
  })

  it('drops ports, keeps nested groups and path case on other hosts', () => {
    expect(normalizeGitRemote('ssh://git@git.example.com:2222/Team/Sub/Repo.git')).toBe('git.example.com/Team/Sub/Repo')
    expect(normalizeGitRemote('https://git.example.com:8443/Team/Sub/Repo')).toBe('git.example.com/Team/Sub/Repo')
    expect(normalizeGitRemote('git@git.example.com:Team/Sub/Repo.git')).toBe('git.example.com/Team/Sub/Repo')
    expect(normalizeGitRemote('https://git.example.com/Team/Sub/Repo')).not.toBe(normalizeGitRemote('https://git.example.com/team/sub/repo'))
    expect(normalizeGitRemote('https://gitlab.com/Group/Sub/Project.git')).toBe('gitlab.com/group/sub/project')
    expect(normalizeGitRemote('ssh://git@[::1]:22/o/r.git')).toBe('[::1]/o/r')
  })

  it('matches Azure DevOps SSH and HTTPS forms', () => {
    const ssh = normalizeGitRemote('git@ssh.dev.azure.com:v3/Org/Project/Repo')
    expect(ssh).toBe('dev.azure.com/org/project/repo')
    expect(normalizeGitRemote('https://Org@dev.azure.com/Org/Project/_git/Repo')).toBe(ssh)
  })

  it('keeps local paths (without .git) and file URLs', () => {
    expect(normalizeGitRemote('/srv/git/widgets.git')).toBe('/srv/git/widgets')
    expect(normalizeGitRemote('/srv/git/widgets.git/')).toBe('/srv/git/widgets')
    expect(normalizeGitRemote('file:///srv/git/widgets.git')).toBe('/srv/git/widgets')
    expect(normalizeGitRemote('../widgets.git')).toBe('../widgets')
    expect(normalizeGitRemote('C:/repos/widgets.git')).toBe('C:/repos/widgets')
  })

  it('is null for nothing and idempotent', () => {
    for (const empty of [null, undefined, '', '   ', 'https://', 'git@github.com:']) expect(normalizeGitRemote(empty), String(empty)).toBeNull()
    for (const url of ['git@github.com:o/r.git', 'ssh://git@h.example:2222/a/b', '/srv/r.git']) {
      const once = normalizeGitRemote(url)
      expect(normalizeGitRemote(once)).toBe(once)
    }
  })

  it('tells different repositories apart', () => {
    expect(normalizeGitRemote('git@github.com:octo/widgets.git')).not.toBe(normalizeGitRemote('git@github.com:octo/gadgets.git'))
    expect(normalizeGitRemote('git@github.com:octo/widgets.git')).not.toBe(normalizeGitRemote('git@gitlab.com:octo/widgets.git'))
    expect(normalizeGitRemote('https://github.com/octo/widgets')).not.toBe(normalizeGitRemote('https://github.com/other/widgets'))
  })
})

describe('parseGitConfigRemotes', () => {
  const config = [
    '[core]',
    '\trepositoryformatversion = 0',
    '\turl = not-a-remote',
    '[remote "upstream"]',
    '\turl = https://github.com/up/stream.git',
    '\tfetch = +refs/heads/*:refs/remotes/upstream/*',
    '; a comment',
    '[Remote "origin"]',
    '  URL = "git@github.com:me/fork.git" # trailing comment',
    '  url = https://second.example/ignored',
    '[branch "main"]',
    '\tremote = origin',
    '[remote.old]',
    '\turl=git@old.example:o/r',
    '[remote "with \\"quote\\""] url = /srv/q.git',
  ].join('\n')

  it('reads the remotes in file order: quotes, comments, case, the old [remote.name] form', () => {
    expect(parseGitConfigRemotes(config)).toEqual([
      { name: 'upstream', url: 'https://github.com/up/stream.git' },
      { name: 'origin', url: 'git@github.com:me/fork.git' },
      { name: 'old', url: 'git@old.example:o/r' },
      { name: 'with "quote"', url: '/srv/q.git' },
    ])
  })

  it('primaryRemote: origin, else the first remote, else null', () => {
    expect(primaryRemote(config)).toBe('git@github.com:me/fork.git')
    expect(primaryRemote('[remote "b"]\n url = /b\n[remote "a"]\n url = /a\n')).toBe('/b')
    expect(primaryRemote('[core]\n bare = false\n')).toBeNull()
    expect(primaryRemote('')).toBeNull()
    expect(primaryRemote('[remote "origin"]\n fetch = x\n')).toBeNull()
  })

  it('survives CRLF and garbage', () => {
    expect(primaryRemote('[remote "origin"]\r\n\turl = https://h.example/o/r\r\n')).toBe('https://h.example/o/r')
    expect(parseGitConfigRemotes('[[[ nonsense\n= = =\n[remote "x"\nurl')).toEqual([])
  })
})

describe('sameRepo', () => {
  const id = (dir: string, root: string | null = null, remote: string | null = null, commonDir: string | null = null): RepoIdentity => ({ dir, root, remote, commonDir })

  it('the same working dir, even outside git', () => {
    expect(sameRepo(id('/work/x'), id('/work/x/'))).toBe(true)
    expect(sameRepo(id('/work/x'), id('/work/y'))).toBe(false)
    expect(sameRepo(id(''), id(''))).toBe(false)
  })

  it('the same git root (sessions in subdirectories of one checkout)', () => {
    expect(sameRepo(id('/r/a', '/r'), id('/r/b', '/r'))).toBe(true)
  })

  it('worktrees of one clone: the same common git dir', () => {
    expect(sameRepo(id('/r', '/r', null, '/r/.git'), id('/r-wt', '/r-wt', null, '/r/.git'))).toBe(true)
  })

  it('separate clones: the same remote once normalized', () => {
    expect(sameRepo(id('/a', '/a', 'git@github.com:o/r.git'), id('/b', '/b', 'https://github.com/o/r'))).toBe(true)
    expect(sameRepo(id('/a', '/a', 'git@github.com:o/r.git'), id('/b', '/b', 'https://github.com/o/other'))).toBe(false)
    expect(sameRepo(id('/a', '/a', null), id('/b', '/b', null))).toBe(false)
  })
})
