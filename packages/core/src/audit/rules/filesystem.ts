/** Filesystem pack: recursive and bulk deletes (rm, find -delete/-exec, rimraf, rsync --delete). */
import type { Cmd, Pack, RuleContext } from './types.js'

const byFind = (c: Cmd): boolean => c.wrappers.some((w) => /^(find|fd|fdfind) /.test(w))

export const filesystem: Pack = {
  name: 'filesystem',
  description: 'recursive deletes, bulk deletes through find and xargs, deleting sync tools',
  valueFlags: {
    find: ['-name', '-iname', '-path', '-ipath', '-regex', '-iregex', '-wholename', '-iwholename', '-newer', '-type', '-user', '-group', '-perm', '-size', '-mtime', '-mmin', '-atime', '-ctime', '-maxdepth', '-mindepth', '-printf', '-fprint', '-lname', '-inum', '-links', '-uid', '-gid', '-fstype', '-samefile', '-context', '-regextype'],
    rsync: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--rsync-path', '--chown', '--chmod', '--log-file', '--backup-dir', '--suffix', '--exclude-from', '--include-from', '--files-from', '-T', '--temp-dir', '--partial-dir', '--port', '--password-file', '--bwlimit', '--timeout'],
  },
  rules: [
    {
      id: 'filesystem.rm-recursive',
      category: 'recursive_delete',
      commands: ['rm', 'Remove-Item', 'ri', 'del', 'erase', 'srm'],
      dryRun: false,
      when: (c) => {
        if (byFind(c)) return false
        const recursive = c.short.has('r') || c.short.has('R') || c.long.has('--recursive') || c.t.some((x) => /^-recurse$/i.test(x)) || (c.name === 'del' && c.t.some((x) => /^\/s$/i.test(x)))
        const force = c.short.has('f') || c.long.has('--force') || c.t.some((x) => /^-force$/i.test(x))
        const notes = c.pos.map((p, i) => describeTarget(/^['"]~/.test(c.words.find((w) => w.text === p)?.raw ?? '') ? `./${p}` : p, c.ctx, i))
        const dangerous = notes.some((n) => n.danger)
        if (!recursive && !(force && dangerous) && !c.xargs) return false
        const flags = [recursive ? '-r' : '', force ? '-f' : ''].filter(Boolean).join(' ')
        let reason = c.xargs ? `rm ${flags} run by xargs on every input line` : `rm ${flags} deletes ${recursive ? 'whole directory trees' : 'files'} without recovery`
        const where = [...new Set(notes.map((n) => n.note))]
        if (where.length > 0) reason += `; ${where.join('; ')}`
        if (c.long.has('--no-preserve-root')) reason += '; --no-preserve-root'
        return reason
      },
      reason: 'rm -r deletes whole directory trees',
      examples: ['rm -rf /', 'rm -r build', 'rm -fr ~/projects', 'rm --recursive --force dist', 'rm -f *', 'rm -rf -- "$DIR"', 'xargs rm < list.txt', 'Remove-Item -Recurse -Force C:\\data'],
      safeExamples: ['rm file.txt', 'rm -f build.log', 'rm -i notes.md', 'echo rm -rf /', 'rmdir empty'],
    },
    {
      id: 'filesystem.find-delete',
      category: 'find_delete',
      commands: ['find'],
      dryRun: false,
      when: (c) => {
        const t = c.t
        for (let i = 0; i < t.length; i++) {
          if (t[i] !== '-delete') continue
          // `-name -delete` is a name pattern, not the action.
          if (i > 0 && /^-(i?name|i?path|i?regex|i?wholename|lname|printf|fprint)$/.test(t[i - 1]!)) continue
          return true
        }
        return false
      },
      reason: 'find -delete removes every match',
      examples: ['find . -name "*.pyc" -delete', 'find /tmp -type f -mtime +7 -delete', 'find ~ -delete'],
      safeExamples: ['find . -name "*.pyc"', 'find . -name -delete', 'find . -iname "-delete" -print', 'grep -- -delete notes.txt'],
    },
    {
      id: 'filesystem.find-exec-delete',
      category: 'find_delete',
      commands: ['rm', 'shred', 'unlink', 'rmdir', 'srm', 'trash-empty'],
      dryRun: false,
      when: (c) => byFind(c) && `${c.wrappers.find((w) => /^(find|fd|fdfind) /.test(w))} ${c.name} deletes every match`,
      reason: 'find -exec rm deletes every match',
      examples: ['find . -name node_modules -exec rm -rf {} +', 'find . -type f -exec rm {} \\;', 'find . -execdir rm -f {} \\;', 'find . -name "*.o" -exec env rm {} +', 'find /srv -exec sudo rm -r {} +', 'fd -e log -X rm', 'fd tmp --exec rm -rf'],
      safeExamples: ['find . -type f -exec grep -l TODO {} +', 'fd -e ts -x wc -l', 'find . -exec echo rm {} \\;'],
    },
    {
      id: 'filesystem.rimraf',
      category: 'recursive_delete',
      commands: ['rimraf', 'del-cli', 'trash-empty', 'rmtrash'],
      dryRun: false,
      when: (c) => c.pos.length > 0 || c.name === 'trash-empty',
      reason: (c) => `${c.name} deletes ${c.pos.join(' ') || 'files'} recursively`,
      examples: ['rimraf dist', 'npx rimraf node_modules', 'pnpm dlx rimraf build coverage', 'trash-empty'],
      safeExamples: ['rimraf --help'],
    },
    {
      id: 'filesystem.rsync-delete',
      category: 'recursive_delete',
      commands: ['rsync'],
      dryRun: 'n',
      when: (c) => [...c.long].some((f) => /^--(delete|delete-before|delete-during|delete-after|delete-delay|delete-excluded|remove-source-files)$/.test(f)) || c.t.includes('--del'),
      reason: 'rsync --delete deletes files at the destination that are missing from the source',
      examples: ['rsync -av --delete src/ /backup/', 'rsync -a --delete-after dist/ host:/var/www/', 'rsync --remove-source-files -a data/ /mnt/x/'],
      safeExamples: ['rsync -av src/ /backup/', 'rsync -avn --delete src/ /backup/', 'rsync -av --delete --dry-run src/ dst/'],
    },
    {
      id: 'filesystem.move-to-null',
      category: 'recursive_delete',
      commands: ['mv'],
      dryRun: false,
      when: (c) => c.pos.length >= 2 && c.pos[c.pos.length - 1] === '/dev/null',
      reason: 'mv onto /dev/null destroys the source',
      examples: ['mv important.db /dev/null', 'sudo mv ~/data /dev/null'],
      safeExamples: ['mv a.txt b.txt'],
    },
  ],
}

export function describeTarget(target: string, ctx: RuleContext, _i = 0): { note: string; danger: boolean } {
  const x = target.replace(/\/+$/, '') || '/'
  if (x === '/' || x === '/*') return { note: `targets the filesystem root (${target})`, danger: true }
  if (/^(~|\$HOME|\$\{HOME\})(\/\*?)?$/.test(x) || (ctx.home && x === ctx.home.replace(/\/+$/, ''))) return { note: `targets the home directory (${target})`, danger: true }
  if (/^(\.\*|~\/\.\*|\*)$/.test(x) || x.includes('*')) return { note: `uses a wildcard (${target})`, danger: true }
  if (x === '{}' || x.includes('$') || x.includes('`')) return { note: `target is only known at run time (${target})`, danger: false }
  let abs: string | null = null
  if (x.startsWith('/')) abs = x
  else if (/^[A-Za-z]:[\\/]/.test(x)) return { note: `absolute path (${target})`, danger: true }
  else if (ctx.home && /^(~|\$HOME|\$\{HOME\})\//.test(x)) abs = ctx.home.replace(/\/+$/, '') + x.slice(x.indexOf('/'))
  else if (/^(~|\$HOME|\$\{HOME\})\//.test(x)) return { note: `outside the project directory (${target}, under home)`, danger: true }
  else if (ctx.cwd) abs = ctx.cwd.replace(/\/+$/, '') + '/' + x
  if (abs === null) return /(^|\/)\.\.(\/|$)/.test(x) ? { note: `outside the project directory (${target})`, danger: true } : { note: `inside the project directory (${target})`, danger: false }
  const norm = normalize(abs)
  if (norm === '/') return { note: `targets the filesystem root (${target})`, danger: true }
  if (ctx.cwd) {
    const cwd = normalize(ctx.cwd)
    if (norm === cwd) return { note: `deletes the whole project directory (${target})`, danger: true }
    if (norm.startsWith(cwd + '/')) return { note: `inside the project directory (${target})`, danger: false }
    return { note: `outside the project directory ${cwd} (${target})`, danger: true }
  }
  if (ctx.home && normalize(ctx.home) === norm) return { note: `targets the home directory (${target})`, danger: true }
  return { note: `absolute path (${target})`, danger: true }
}

export function normalize(p: string): string {
  const out: string[] = []
  for (const seg of p.split('/')) {
    if (!seg || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(seg)
  }
  return '/' + out.join('/')
}
