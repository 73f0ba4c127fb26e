/** Git pack: rewriting or discarding history and uncommitted work. */
import type { Cmd, Pack } from './types.js'

const GIT_GLOBAL_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'])

/** `git [global options] <sub> <rest…>`. */
export function gitSub(c: Cmd): { sub: string; rest: string[] } {
  const t = c.t
  let i = 0
  while (i < t.length && t[i]!.startsWith('-')) i += GIT_GLOBAL_VALUE.has(t[i]!) ? 2 : 1
  return { sub: t[i] ?? '', rest: t.slice(i + 1) }
}

/** Flags of the git subcommand's own arguments. */
function flags(rest: string[]): { short: Set<string>; long: Set<string>; pos: string[]; dd: number } {
  const short = new Set<string>()
  const long = new Set<string>()
  const pos: string[] = []
  let dd = -1
  for (let i = 0; i < rest.length; i++) {
    const x = rest[i]!
    if (dd >= 0) {
      pos.push(x)
      continue
    }
    if (x === '--') {
      dd = pos.length
      continue
    }
    if (x.startsWith('--')) long.add(x.split('=')[0]!)
    else if (x.startsWith('-') && x.length > 1) for (const ch of x.slice(1)) short.add(ch)
    else pos.push(x)
  }
  return { short, long, pos, dd }
}

const sub = (name: string | string[], test: (f: ReturnType<typeof flags>, rest: string[]) => boolean | string) => (c: Cmd): boolean | string => {
  const { sub: s, rest } = gitSub(c)
  if (typeof name === 'string' ? s !== name : !name.includes(s)) return false
  return test(flags(rest), rest)
}

/** A word that names a path rather than a branch: has an extension, a glob, or is `.`. */
const looksLikePath = (x: string): boolean => x === '.' || x === '..' || x.startsWith('./') || x.startsWith(':/') || /[*?]/.test(x) || /\.[A-Za-z][A-Za-z0-9]{0,5}$/.test(x) || x.endsWith('/')

export const git: Pack = {
  name: 'git',
  description: 'force pushes, hard resets, discarding work, deleting branches, stashes and reflogs, history rewrites',
  rules: [
    {
      id: 'git.force-push',
      category: 'git_history',
      commands: ['git'],
      dryRun: 'n',
      when: sub('push', (f) => {
        if (f.short.has('f') || f.long.has('--force')) return 'git push --force rewrites remote history'
        if (f.long.has('--force-with-lease') || f.long.has('--force-if-includes')) return 'git push --force-with-lease still rewrites remote history (the lease only guards against unseen commits)'
        if (f.long.has('--mirror')) return 'git push --mirror overwrites and deletes remote refs'
        if (f.long.has('--prune')) return 'git push --prune deletes remote branches missing locally'
        if (f.short.has('d') || f.long.has('--delete')) return 'git push --delete removes a remote branch'
        const refspecs = f.pos.slice(1)
        const forced = refspecs.find((r) => r.startsWith('+'))
        if (forced) return `git push ${forced} force-pushes that refspec`
        const deleted = refspecs.find((r) => r.startsWith(':') && r.length > 1)
        if (deleted) return `git push ${deleted} deletes a remote branch`
        const main = refspecs.find((r) => /^(refs\/heads\/)?(main|master)$/.test(r.split(':').pop() ?? ''))
        if (main) return `git push to ${main.split(':').pop()} (a protected branch)`
        return false
      }),
      reason: 'git push rewrites remote history',
      examples: ['git push --force', 'git push -f origin feature', 'git push -uf origin x', 'git push --force-with-lease', 'git push --force-with-lease=main:abc origin main', 'git push origin +main', 'git push origin +HEAD:refs/heads/dev', 'git push origin :old', 'git push --delete origin tmp', 'git push --mirror', 'git -C repo push --force-if-includes --force-with-lease', 'git push origin main'],
      safeExamples: ['git push', 'git push origin feature/x', 'git push -u origin my-branch', 'git push --dry-run --force', 'git push -n -f origin x', 'git commit -m "git push --force"'],
    },
    {
      id: 'git.reset-hard',
      category: 'git_history',
      commands: ['git'],
      when: sub('reset', (f) => (f.long.has('--hard') || f.long.has('--merge') || f.long.has('--keep') ? `git reset ${[...f.long].find((x) => ['--hard', '--merge', '--keep'].includes(x))} discards uncommitted work` : false)),
      reason: 'git reset --hard discards uncommitted work',
      examples: ['git reset --hard', 'git reset --hard HEAD~3', 'git reset -q --hard origin/main', 'git reset --merge'],
      safeExamples: ['git reset HEAD~1', 'git reset --soft HEAD~1', 'git reset -- file.ts'],
    },
    {
      id: 'git.clean',
      category: 'git_history',
      commands: ['git'],
      dryRun: 'n',
      when: sub('clean', (f) => (f.short.has('f') || f.long.has('--force')) && !f.short.has('n') && `git clean -f deletes untracked files${f.short.has('x') || f.short.has('X') ? ' (including ignored ones)' : ''}`),
      reason: 'git clean -f deletes untracked files',
      examples: ['git clean -fd', 'git clean -xdf', 'git clean --force -d', 'git clean -ffdx'],
      safeExamples: ['git clean -n', 'git clean -nd', 'git clean -fdn', 'git clean --dry-run -fd'],
    },
    {
      id: 'git.branch-force-delete',
      category: 'git_history',
      commands: ['git'],
      when: sub('branch', (f) => f.short.has('D') || ((f.short.has('d') || f.long.has('--delete')) && (f.short.has('f') || f.long.has('--force')))),
      reason: 'git branch -D deletes a branch even if unmerged',
      examples: ['git branch -D feature', 'git branch --delete --force old', 'git branch -df x', 'git branch -D $(git branch --merged)'],
      safeExamples: ['git branch -d merged', 'git branch -a', 'git branch new-one'],
    },
    {
      id: 'git.checkout-paths',
      category: 'git_history',
      commands: ['git'],
      when: sub('checkout', (f, rest) => {
        if (f.short.has('b') || f.short.has('B') || f.long.has('--orphan')) return false
        if (f.short.has('f') || f.long.has('--force')) return 'git checkout --force discards local changes'
        if (f.dd >= 0 && f.pos.length > f.dd) return 'git checkout -- <paths> overwrites uncommitted changes'
        if (f.pos.length >= 2) return 'git checkout <ref> <paths> overwrites uncommitted changes'
        if (f.pos.length === 1 && looksLikePath(f.pos[0]!)) return `git checkout ${f.pos[0]} overwrites uncommitted changes to that path`
        void rest
        return false
      }),
      reason: 'git checkout of paths overwrites uncommitted changes',
      examples: ['git checkout -- .', 'git checkout .', 'git checkout HEAD -- src/app.ts', 'git checkout src/app.ts', 'git checkout main README.md', 'git checkout -f main', 'git checkout -- "*.ts"'],
      safeExamples: ['git checkout main', 'git checkout -b fix', 'git checkout feature/login', 'git checkout v1.2.3', 'git checkout -'],
    },
    {
      id: 'git.restore-worktree',
      category: 'git_history',
      commands: ['git'],
      when: sub('restore', (f) => {
        const staged = f.short.has('S') || f.long.has('--staged')
        const worktree = f.short.has('W') || f.long.has('--worktree')
        return (!staged || worktree) && f.pos.length > 0
      }),
      reason: 'git restore overwrites uncommitted changes in the working tree',
      examples: ['git restore src/index.ts', 'git restore .', 'git restore --worktree .', 'git restore --source=HEAD~2 -- lib/', 'git restore -SW file'],
      safeExamples: ['git restore --staged file.ts', 'git restore -S .'],
    },
    {
      id: 'git.stash-drop',
      category: 'git_history',
      commands: ['git'],
      when: sub('stash', (f) => ['drop', 'clear'].includes(f.pos[0] ?? '') && `git stash ${f.pos[0]} deletes stashed work`),
      reason: 'git stash drop deletes stashed work',
      examples: ['git stash drop', 'git stash clear', 'git stash drop stash@{2}'],
      safeExamples: ['git stash', 'git stash pop', 'git stash list'],
    },
    {
      id: 'git.discard-switch',
      category: 'git_history',
      commands: ['git'],
      when: sub(['switch', 'worktree'], (f) => (f.long.has('--discard-changes') || f.short.has('f') || f.long.has('--force')) && (f.pos[0] !== 'add' && f.pos[0] !== 'list')),
      reason: 'git switch --discard-changes / worktree remove --force drops local changes',
      examples: ['git switch --discard-changes main', 'git switch -f dev', 'git worktree remove --force ../wt'],
      safeExamples: ['git switch main', 'git switch -c new', 'git worktree list', 'git worktree remove ../wt'],
    },
    {
      id: 'git.rewrite-history',
      category: 'git_history',
      commands: ['git', 'git-filter-repo', 'bfg'],
      when: (c) => {
        if (c.name !== 'git') return c.name === 'bfg' ? c.pos.length > 0 || c.t.length > 0 : true
        const { sub: s } = gitSub(c)
        return (s === 'filter-branch' || s === 'filter-repo') && `git ${s} rewrites every matching commit`
      },
      reason: 'rewrites repository history',
      examples: ['git filter-branch --tree-filter "rm -f secrets.txt" HEAD', 'git filter-repo --path secrets --invert-paths', 'git-filter-repo --force --strip-blobs-bigger-than 10M', 'bfg --delete-files id_rsa'],
      safeExamples: ['git log --all', 'git filter-repo --analyze --dry-run'],
    },
    {
      id: 'git.expire-reflog',
      category: 'git_history',
      commands: ['git'],
      dryRun: 'n',
      when: (c) => {
        const { sub: s, rest } = gitSub(c)
        const now = (x: string): boolean => /^--(expire|expire-unreachable|prune)=(now|all|0|never-keep|\d+\.seconds\.ago)$/.test(x)
        if (s === 'reflog') return (rest[0] === 'expire' && rest.some((x) => now(x) || x === '--expire' || x === '--expire-unreachable')) || rest[0] === 'delete' ? `git reflog ${rest[0]} drops the safety net for lost commits` : false
        if (s === 'gc') return rest.some((x) => /^--prune=(now|all)$/.test(x)) && 'git gc --prune=now deletes unreachable commits for good'
        if (s === 'prune') return rest.some((x) => x === '--expire' || /^--expire=(now|all)$/.test(x)) && 'git prune --expire now deletes unreachable objects'
        return false
      },
      reason: 'expiring the reflog and pruning deletes unreachable commits',
      examples: ['git reflog expire --expire=now --all', 'git reflog expire --expire-unreachable=now --all && git gc --prune=now', 'git gc --prune=now --aggressive', 'git reflog delete HEAD@{1}', 'git prune --expire now'],
      safeExamples: ['git reflog', 'git gc', 'git gc --aggressive', 'git reflog show', 'git prune -n --expire now'],
    },
    {
      id: 'git.delete-ref',
      category: 'git_history',
      commands: ['git'],
      when: (c) => {
        const { sub: s, rest } = gitSub(c)
        if (s === 'update-ref') return rest.includes('-d') || rest.includes('--delete') || rest.includes('--stdin')
        if (s === 'tag') return (rest.includes('-d') || rest.includes('--delete')) && 'git tag -d deletes tags'
        if (s === 'replace') return rest.includes('-d') || rest.includes('--delete')
        if (s === 'symbolic-ref') return rest.includes('-d') || rest.includes('--delete')
        return false
      },
      reason: 'git update-ref -d deletes a ref',
      examples: ['git update-ref -d refs/heads/main', 'git update-ref -d refs/original/refs/heads/master', 'git tag -d v1.0'],
      safeExamples: ['git update-ref refs/heads/x HEAD', 'git tag v1.0', 'git tag -l'],
    },
    {
      id: 'git.rm-tree',
      category: 'git_history',
      commands: ['git'],
      dryRun: 'n',
      when: sub('rm', (f) => (f.short.has('r') || f.short.has('f') || f.long.has('--force')) && !f.long.has('--cached') && `git rm ${f.short.has('r') ? '-r' : '-f'} deletes tracked files from the working tree`),
      reason: 'git rm -r deletes tracked files',
      examples: ['git rm -r .', 'git rm -rf src', 'git rm -r --force docs/', 'git rm -f config.yml'],
      safeExamples: ['git rm --cached -r .', 'git rm -r --cached node_modules', 'git rm -rn src', 'git rm file.txt'],
    },
  ],
}
