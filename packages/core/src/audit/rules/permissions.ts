/** Permissions pack: world-writable and setuid modes, recursive chmod/chown/chgrp/setfacl (also via find and xargs). */
import type { Cmd, Pack } from './types.js'

const viaRunner = (c: Cmd): string | undefined => c.wrappers.find((w) => /^(find|fd|fdfind) |^xargs$|^parallel$/.test(w))

/** World-writable or setuid/setgid modes, symbolic or octal. */
export function wideMode(mode: string): string | null {
  const oct = /^0*([0-7]{3,4})$/.exec(mode)
  if (oct) {
    const d = oct[1]!
    if (Number(d[d.length - 1]) & 2) return `mode ${mode} makes files writable by everyone`
    if (d.length === 4 && Number(d[0]) & 6) return `mode ${mode} sets the setuid/setgid bit`
    return null
  }
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([+=])([rwxXst]*)$/.exec(clause)
    if (!m) continue
    const who = m[1]!
    if ((who.includes('o') || who.includes('a')) && m[3]!.includes('w')) return `chmod ${mode} makes files writable by everyone`
    if (m[3]!.includes('s') && (who === '' || who.includes('u') || who.includes('g') || who.includes('a'))) return `chmod ${mode} sets the setuid/setgid bit`
  }
  return null
}

export const permissions: Pack = {
  name: 'permissions',
  description: 'chmod 777/o+w/setuid, recursive chmod/chown/chgrp/setfacl, including through find -exec and xargs',
  valueFlags: { chown: ['--reference', '--from'], chmod: ['--reference'], setfacl: ['-m', '-x', '-M', '-X', '--modify', '--remove', '--set', '--set-file'] },
  rules: [
    {
      id: 'permissions.chmod',
      category: 'permissions',
      commands: ['chmod'],
      dryRun: false,
      when: (c) => {
        const recursive = c.short.has('R') || c.long.has('--recursive')
        const mode = c.pos[0] ?? c.t.find((x) => /^-[rwxXst]+$/.test(x)) ?? ''
        const wide = wideMode(mode)
        if (wide) return wide
        if (recursive) return 'chmod -R changes permissions of a whole tree'
        const r = viaRunner(c)
        if (r) return `chmod run by ${r} changes permissions of every match`
        return false
      },
      reason: 'chmod makes files world-writable or changes a whole tree',
      examples: ['chmod 777 file', 'chmod -R 755 dist', 'chmod 0777 /var/www', 'chmod a+rwx script.sh', 'chmod --recursive u+w .', 'chmod o+w /srv', 'chmod u+s /usr/bin/x', 'chmod 4755 ./tool', 'chmod 666 /dev/sda', 'find . -type f -exec chmod 644 {} +', 'find / -perm -4000 -exec chmod u-s {} \\;', 'ls | xargs chmod 600', 'chmod +s binary', 'chmod g+s dir'],
      safeExamples: ['chmod 644 README.md', 'chmod +x scripts/build.sh', 'chmod u+x run.sh', 'chmod 600 ~/.ssh/config', 'chmod 755 bin/tool', 'stat -c %a file'],
    },
    {
      id: 'permissions.chown-recursive',
      category: 'permissions',
      commands: ['chown', 'chgrp', 'setfacl', 'chattr', 'takeown', 'icacls'],
      dryRun: false,
      when: (c) => {
        if (c.name === 'takeown' || c.name === 'icacls') return c.t.some((x) => /^\/[rt]$/i.test(x))
        if (c.name === 'chattr') return c.has('-R') && c.t.some((x) => /^[-+=][ia]+$/.test(x))
        if (c.short.has('R') || c.long.has('--recursive')) return `${c.name} -R changes ownership or ACLs of a whole tree`
        const r = viaRunner(c)
        return r !== undefined && `${c.name} run by ${r} changes ownership of every match`
      },
      reason: 'recursive ownership change',
      examples: ['chown -R www-data:www-data /var/www', 'sudo chown -R user ~', 'chgrp -R staff dir', 'setfacl -R -m u:bob:rwx /srv', 'find . -exec chown root {} +', 'find /home -user old | xargs chown new', 'chattr -R +i /etc'],
      safeExamples: ['chown user file.txt', 'chgrp staff file', 'getfacl x', 'setfacl -m u:bob:r file'],
    },
  ],
}
