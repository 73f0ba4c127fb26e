/** Backup and object-store pack: deletes, purges, prunes and mirroring deletes of backup tools and object-store clients. */
import type { Pack } from './types.js'

export const backup: Pack = {
  name: 'backup',
  description: 'rclone, restic, borg, kopia, velero, mc, azcopy, s3cmd, b2, duplicity, tarsnap: deletes, purges, prunes, deleting syncs',
  valueFlags: {
    rclone: ['--config', '--include', '--exclude', '--filter', '--min-age', '--max-age', '--transfers', '--checkers', '--log-file', '--log-level', '--bwlimit', '--backup-dir', '--suffix', '--filter-from', '--exclude-from', '--include-from', '--files-from'],
    restic: ['-r', '--repo', '--password-file', '-p', '--keep-last', '--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-yearly', '--keep-within', '--tag', '--host', '--path', '--cache-dir', '--repository-file', '-o', '--option'],
    borg: ['--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-last', '--keep-within', '-a', '--glob-archives', '--prefix', '--remote-path', '--rsh'],
    velero: ['-n', '--namespace', '--kubeconfig', '--kubecontext', '--selector', '-l', '-o'],
    mc: ['--config-dir', '-C', '--older-than', '--newer-than', '--exclude', '--include'],
    azcopy: ['--include-pattern', '--exclude-pattern', '--log-level', '--from-to', '--list-of-files', '--include-path', '--exclude-path'],
    s3cmd: ['-c', '--config', '--exclude', '--include', '--rexclude'],
    kopia: ['--config-file', '--password', '--keep-latest'],
  },
  rules: [
    {
      id: 'backup.rclone-delete',
      category: 'infrastructure',
      commands: ['rclone'],
      dryRun: 'n',
      when: (c) => {
        const v = c.pos[0] ?? ''
        if (['delete', 'deletefile', 'purge', 'rmdirs', 'cleanup', 'rmdir', 'dedupe'].includes(v)) return `rclone ${v} deletes remote files`
        if (v === 'sync' || v === 'bisync') return `rclone ${v} deletes destination files missing from the source`
        if ((v === 'move' || v === 'moveto') && c.has('--delete-empty-src-dirs')) return 'rclone move deletes the source'
        return false
      },
      reason: 'rclone deletes remote files',
      examples: ['rclone delete remote:bucket/path', 'rclone purge s3:backups', 'rclone sync ./site remote:www', 'rclone deletefile gdrive:old.zip', 'rclone rmdirs remote:x --leave-root', 'rclone cleanup b2:bucket', 'rclone --config r.conf sync a b:c'],
      safeExamples: ['rclone ls remote:', 'rclone copy ./site remote:www', 'rclone sync ./site remote:www --dry-run', 'rclone delete remote:x -n', 'rclone lsd remote:', 'rclone check a b:c'],
    },
    {
      id: 'backup.snapshot-prune',
      category: 'infrastructure',
      commands: ['restic', 'rustic', 'borg', 'borgmatic', 'kopia', 'duplicity', 'duplicati', 'tarsnap', 'rdiff-backup', 'bup', 'duplicacy', 'zrepl', 'sanoid'],
      dryRun: 'n',
      when: (c) => {
        const [a, b] = c.pos
        switch (c.name) {
          case 'restic':
          case 'rustic':
            return ['forget', 'prune'].includes(a ?? '') || (a === 'key' && b === 'remove') || (a === 'unlock' && c.has('--remove-all'))
          case 'borg':
            return ['delete', 'prune', 'recreate'].includes(a ?? '') && `borg ${a} deletes archives`
          case 'borgmatic':
            return ['prune', 'delete', 'rdelete'].includes(a ?? '')
          case 'kopia':
            return (['snapshot', 'snapshots', 'repository', 'repo', 'policy', 'maintenance'].includes(a ?? '') && ['delete', 'expire', 'rm', 'remove'].includes(b ?? '')) || (a === 'maintenance' && b === 'run' && c.has('--full') && c.has('--safety=none'))
          case 'duplicity':
            return ['remove-older-than', 'remove-all-but-n-full', 'remove-all-inc-of-but-n-full', 'cleanup'].includes(a ?? '') && c.has('--force')
          case 'tarsnap':
            return c.short.has('d') || c.has('--nuke')
          case 'rdiff-backup':
            return c.has('--remove-older-than') || a === 'remove'
          case 'duplicacy':
            return a === 'prune'
          default:
            return false
        }
      },
      reason: (c) => `${c.name} ${c.pos[0] ?? ''} deletes backup snapshots`,
      examples: ['restic forget --keep-last 1 --prune', 'restic -r s3:s3.amazonaws.com/b prune', 'borg delete /backup::archive-1', 'borg prune --keep-daily 1 /repo', 'kopia snapshot delete k123 --delete', 'duplicity remove-older-than 1D --force file:///b', 'tarsnap -d -f backup-2023', 'tarsnap --nuke', 'borgmatic prune', 'rustic forget --prune'],
      safeExamples: ['restic snapshots', 'restic backup ~/docs', 'restic forget --keep-last 1 --dry-run', 'borg list /repo', 'borg prune -n --keep-daily 7 /repo', 'kopia snapshot list', 'borg create /repo::a ~/x'],
    },
    {
      id: 'backup.velero-delete',
      category: 'infrastructure',
      commands: ['velero'],
      when: (c) => (c.pos[0] === 'delete' || (['backup', 'restore', 'schedule', 'backup-location', 'snapshot-location', 'repo'].includes(c.pos[0] ?? '') && c.pos[1] === 'delete') || c.pos[0] === 'uninstall') && `velero ${c.pos.slice(0, 2).join(' ')} deletes backups`,
      reason: 'velero deletes backups',
      examples: ['velero backup delete nightly --confirm', 'velero delete backup b1', 'velero schedule delete daily', 'velero uninstall --force'],
      safeExamples: ['velero backup get', 'velero backup create b2', 'velero restore create --from-backup b1'],
    },
    {
      id: 'backup.object-store-delete',
      category: 'infrastructure',
      commands: ['mc', 'mcli', 'azcopy', 's3cmd', 'b2', 's5cmd', 'aws-s3', 'gcs', 'oss', 'ossutil', 'obsutil', 'coscli', 'swift', 'minio-client'],
      when: (c) => {
        const [a, b] = c.pos
        switch (c.name) {
          case 'mc':
          case 'mcli':
          case 'minio-client':
            return ['rm', 'rb', 'del'].includes(a ?? '') || (a === 'mirror' && c.has('--remove', '--overwrite')) || (a === 'admin' && b === 'bucket' && c.pos[2] === 'remove') || (['ilm', 'version', 'retention'].includes(a ?? '') && ['rm', 'remove', 'suspend'].includes(b ?? ''))
          case 'azcopy':
            return a === 'remove' || a === 'rm' || (a === 'sync' && c.t.some((x) => /^--delete-destination(=(true|prompt))?$/i.test(x)))
          case 's3cmd':
            return ['del', 'rm', 'rb', 'deleteexpire'].includes(a ?? '') || (a === 'sync' && c.has('--delete-removed', '--delete-after'))
          case 'b2':
            return ['delete-bucket', 'delete-file-version', 'rm', 'delete-key', 'hide-file'].includes(a ?? '') || (a === 'sync' && c.has('--delete', '--replace-newer')) || (a === 'bucket' && b === 'delete') || (a === 'file' && b === 'delete')
          case 's5cmd':
            return a === 'rm' || a === 'rb' || (a === 'sync' && c.has('--delete'))
          case 'swift':
            return a === 'delete'
          default:
            return ['rm', 'rb', 'delete', 'del'].includes(a ?? '') || ['rm', 'delete'].includes(b ?? '')
        }
      },
      reason: (c) => `${c.name} ${c.pos.slice(0, 2).join(' ')} deletes stored objects`,
      examples: ['mc rm --recursive --force myminio/bucket', 'mc rb --force local/backups', 'mc mirror --remove ./site s3/www', 'azcopy remove "https://acct.blob.core.windows.net/c?sv=x" --recursive', 'azcopy sync ./d "https://a.blob.core.windows.net/c" --delete-destination=true', 's3cmd del --recursive --force s3://b', 's3cmd rb s3://old', 's3cmd sync --delete-removed ./d s3://b', 'b2 delete-bucket old', 's5cmd rm "s3://b/*"', 'swift delete container'],
      safeExamples: ['mc ls local/', 'mc cp a local/b/', 'mc mirror ./site s3/www', 'azcopy copy ./d "https://a.blob.core.windows.net/c" --recursive', 's3cmd ls s3://b', 'b2 ls b', 'mc rm --recursive --force --dry-run local/b'],
    },
  ],
}
